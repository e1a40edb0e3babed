package dev.sluice.server.webhooks;

import dev.sluice.core.SluiceException;
import dev.sluice.core.semaphore.Delivery;
import dev.sluice.core.semaphore.SemaphoreConfig;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Where webhook deliveries may go: the node's guard against being made to call what it should not
 * (server-side request forgery). Asked twice: when a webhook URL is configured ({@link #checkUrl},
 * by name and address literal, without a DNS lookup), and at every new connection of a delivery
 * ({@link #addresses}, against the addresses the name resolves to then, which are the only
 * addresses the connection may use: a name that changes its answer between the two, DNS
 * rebinding, reaches nothing refused).
 *
 * <p>Always refused: link-local addresses ({@code 169.254.0.0/16}, {@code fe80::/10}), where cloud
 * metadata services answer, unless an allow-list address entry lies inside that range; the cloud
 * metadata addresses themselves ({@code 169.254.169.254}, {@code 169.254.170.2}, {@code fd00:ec2::254},
 * {@code 100.100.100.200}, {@code 168.63.129.16}) and names ({@code metadata.google.internal}, …),
 * whatever the allow-list says; the unspecified and multicast addresses.
 *
 * <p>Without an allow-list everything else is allowed, loopback and private ranges included (a
 * self-hosted node's processors usually live next to it). With one, a URL is allowed when its host
 * matches a host entry ({@code hooks.example.com}, {@code *.example.com}: any name below it), or when
 * the host is an address, or a name whose addresses are, inside an address entry ({@code 10.0.0.0/8},
 * {@code 127.0.0.1}, {@code fd00::/8}).
 *
 * <p>Immutable and thread-safe.
 */
public final class WebhookTargets {
    /** Names of cloud metadata services, refused whatever the allow-list says. */
    static final Set<String> METADATA_NAMES = Set.of("metadata.google.internal", "metadata.goog", "metadata",
            "instance-data", "instance-data.ec2.internal", "metadata.azure.internal");
    /** Addresses of cloud metadata services (AWS, ECS, AWS IPv6, Alibaba, Azure's wire server), refused always. */
    private static final List<Cidr> METADATA_ADDRESSES = List.of(Cidr.parse("169.254.169.254"), Cidr.parse("169.254.170.2"),
            Cidr.parse("fd00:ec2::254"), Cidr.parse("100.100.100.200"), Cidr.parse("168.63.129.16"));
    private static final Cidr LINK_LOCAL_V4 = Cidr.parse("169.254.0.0/16");
    private static final Cidr LINK_LOCAL_V6 = Cidr.parse("fe80::/10");
    private static final Pattern HOST_PATTERN = Pattern.compile("(\\*\\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*");

    /** Looks a name up: the system's resolver, or a test's. */
    @FunctionalInterface
    interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    private final List<String> hosts;   // exact names, or ".example.com" for "*.example.com"
    private final List<Cidr> cidrs;
    private final String spec;
    private final Resolver resolver;

    private WebhookTargets(List<String> hosts, List<Cidr> cidrs, String spec) {
        this(hosts, cidrs, spec, InetAddress::getAllByName);
    }

    private WebhookTargets(List<String> hosts, List<Cidr> cidrs, String spec, Resolver resolver) {
        this.hosts = List.copyOf(hosts);
        this.cidrs = List.copyOf(cidrs);
        this.spec = spec;
        this.resolver = resolver;
    }

    /** The same rules over another resolver (tests: a name that answers what the test says). */
    WebhookTargets withResolver(Resolver newResolver) {
        return new WebhookTargets(hosts, cidrs, spec, newResolver);
    }

    /** No allow-list: anything but link-local, metadata, unspecified and multicast addresses. */
    public static WebhookTargets defaults() {
        return new WebhookTargets(List.of(), List.of(), "");
    }

    /**
     * Parses an allow-list: entries separated by commas or spaces, each a host name
     * ({@code hooks.example.com}), a wildcard ({@code *.example.com}), an address ({@code 10.1.2.3},
     * {@code ::1}) or a CIDR block ({@code 10.0.0.0/8}, {@code fd00::/8}). Blank: no allow-list.
     *
     * @throws IllegalArgumentException naming the entry that is none of these
     */
    public static WebhookTargets allowList(String spec) {
        if (spec == null || spec.isBlank()) {
            return defaults();
        }
        List<String> hosts = new ArrayList<>();
        List<Cidr> cidrs = new ArrayList<>();
        for (String raw : spec.strip().split("[,\\s]+")) {
            String entry = raw.strip().toLowerCase(Locale.ROOT);
            if (entry.isEmpty()) {
                continue;
            }
            if (entry.contains("/") || literal(entry) != null) {
                cidrs.add(Cidr.parse(entry));
            } else if (HOST_PATTERN.matcher(entry).matches() && entry.length() <= 253) {
                hosts.add(entry.startsWith("*.") ? entry.substring(1) : entry);
            } else {
                throw new IllegalArgumentException("webhook allow-list entry '" + raw + "' is not a host name (hooks.example.com), "
                        + "a wildcard (*.example.com), an address (10.1.2.3) or a CIDR block (10.0.0.0/8)");
            }
        }
        return new WebhookTargets(hosts, cidrs, String.join(",", spec.strip().split("[,\\s]+")));
    }

    /** Whether an allow-list is set. */
    public boolean restricted() {
        return !hosts.isEmpty() || !cidrs.isEmpty();
    }

    /** {@link #checkUrl} for the URL of a config that delivers by webhook; nothing for a pull config. */
    public SemaphoreConfig check(SemaphoreConfig config) {
        Delivery d = config.delivery();
        if (d != null && d.mode() == Delivery.Mode.WEBHOOK && d.url() != null) {
            checkUrl(d.url());
        }
        return config;
    }

    /**
     * Checks a webhook URL when it is configured: its host by name, or by address if it is an
     * address literal. Names are not looked up here (a processor may not be in DNS yet); their
     * addresses are checked at each delivery.
     *
     * @throws SluiceException {@code invalid_argument}, saying why and what to change
     */
    public void checkUrl(String url) {
        String host = host(URI.create(url));
        InetAddress address = literal(host);
        String refusal = address != null ? refusal(address, false) : refusalOfName(host);
        if (refusal != null) {
            throw SluiceException.invalid("delivery.url is refused: " + refusal);
        }
    }

    /**
     * The addresses a delivery to {@code host} may connect to: those it resolves to now, less the
     * refused ones. Blocks for the DNS lookup.
     *
     * @throws RefusedTarget if none is left, saying which addresses were refused and why
     * @throws UnknownHostException if the name does not resolve
     */
    public List<InetSocketAddress> addresses(String rawHost, int port) throws IOException {
        String host = normalize(rawHost);
        String nameRefusal = literal(host) == null ? refusalOfName(host) : null;
        if (nameRefusal != null) {
            throw new RefusedTarget(nameRefusal);
        }
        boolean nameAllowed = literal(host) == null && hostAllowed(host);
        List<InetSocketAddress> allowed = new ArrayList<>();
        String firstRefusal = null;
        for (InetAddress a : resolver.resolve(host)) {
            String refusal = refusal(a, nameAllowed);
            if (refusal == null) {
                allowed.add(new InetSocketAddress(a, port));
            } else if (firstRefusal == null) {
                firstRefusal = refusal;
            }
        }
        if (allowed.isEmpty()) {
            throw new RefusedTarget(literal(host) == null ? host + " resolves to " + firstRefusal : firstRefusal);
        }
        return allowed;
    }

    /** Why a name cannot be a webhook host at all, or null. */
    private String refusalOfName(String host) {
        if (METADATA_NAMES.contains(host)) {
            return host + " is a cloud metadata service, which webhooks may never reach";
        }
        if (restricted() && !hostAllowed(host) && cidrs.isEmpty()) {
            return host + " is not in the webhook allow-list (--webhook-allow " + spec + ")";
        }
        return null;
    }

    /** Why a delivery may not connect to {@code a}, or null; {@code nameAllowed}: the host matched a host entry. */
    private String refusal(InetAddress raw, boolean nameAllowed) {
        InetAddress a = unmapped(raw);
        String text = a.getHostAddress();
        for (Cidr m : METADATA_ADDRESSES) {
            if (m.contains(a)) {
                return text + ", a cloud metadata address, which webhooks may never reach";
            }
        }
        if (a.isAnyLocalAddress() || a.isMulticastAddress() || text.equals("255.255.255.255")) {
            return text + ", which is not an address a webhook can be delivered to";
        }
        boolean linkLocal = LINK_LOCAL_V4.contains(a) || LINK_LOCAL_V6.contains(a);
        if (linkLocal) {
            boolean optedIn = cidrs.stream().anyMatch(c -> c.contains(a) && (LINK_LOCAL_V4.covers(c) || LINK_LOCAL_V6.covers(c)));
            return optedIn ? null : text + ", a link-local address (where cloud metadata services answer), refused unless "
                    + "--webhook-allow names a block inside 169.254.0.0/16 or fe80::/10";
        }
        if (!restricted() || nameAllowed || cidrs.stream().anyMatch(c -> c.contains(a))) {
            return null;
        }
        return text + ", which the webhook allow-list does not allow (--webhook-allow " + spec + ")";
    }

    private boolean hostAllowed(String host) {
        for (String h : hosts) {
            if (h.startsWith(".") ? host.endsWith(h) && host.length() > h.length() : host.equals(h)) {
                return true;
            }
        }
        return false;
    }

    /** The URL's host, lower case, without IPv6 brackets or a trailing dot (which would name the same host). */
    private static String host(URI uri) {
        String host = uri.getHost();
        if (host == null) {
            throw SluiceException.invalid("delivery.url must be an http:// or https:// URL with a host");
        }
        return normalize(host);
    }

    private static String normalize(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        while (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        return h;
    }

    /** The address a host string spells as a literal (any form Java reads as one: 10.1.2.3, 167772161, ::1), or null. */
    static InetAddress literal(String host) {
        try {
            return InetAddress.ofLiteral(host);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** An IPv4 address written as IPv6 ({@code ::ffff:169.254.169.254}) is that IPv4 address. */
    private static InetAddress unmapped(InetAddress a) {
        if (a instanceof Inet6Address) {
            byte[] b = a.getAddress();
            boolean mapped = true;
            for (int i = 0; i < 10; i++) {
                mapped &= b[i] == 0;
            }
            if (mapped && b[10] == (byte) 0xff && b[11] == (byte) 0xff) {
                try {
                    return InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
                } catch (UnknownHostException impossible) {
                    throw new IllegalStateException(impossible);
                }
            }
        }
        return a;
    }

    @Override
    public String toString() {
        return restricted() ? "webhook allow-list " + spec : "webhooks to any address but link-local and metadata";
    }

    /** A delivery the node refused to make: where it would have gone, and why not. */
    public static final class RefusedTarget extends IOException {
        RefusedTarget(String why) {
            super(why);
        }
    }

    /** An address block. */
    record Cidr(byte[] network, int bits) {
        static Cidr parse(String text) {
            int slash = text.indexOf('/');
            InetAddress a = literal(slash < 0 ? text : text.substring(0, slash));
            if (a == null) {
                throw new IllegalArgumentException("'" + text + "' is not an address or CIDR block (e.g. 10.0.0.0/8, fd00::/8)");
            }
            a = unmapped(a);
            int max = a instanceof Inet4Address ? 32 : 128;
            int bits;
            try {
                bits = slash < 0 ? max : Integer.parseInt(text.substring(slash + 1));
            } catch (NumberFormatException e) {
                bits = -1;
            }
            if (bits < 0 || bits > max) {
                throw new IllegalArgumentException("'" + text + "': the prefix length must be 0 … " + max);
            }
            return new Cidr(a.getAddress(), bits);
        }

        boolean contains(InetAddress address) {
            byte[] b = unmapped(address).getAddress();
            if (b.length != network.length) {
                return false;
            }
            for (int i = 0; i < bits; i++) {
                int mask = 0x80 >>> (i % 8);
                if ((b[i / 8] & mask) != (network[i / 8] & mask)) {
                    return false;
                }
            }
            return true;
        }

        /** Whether every address of {@code other} is in this block. */
        boolean covers(Cidr other) {
            if (other.network.length != network.length || other.bits < bits) {
                return false;
            }
            try {
                return contains(InetAddress.getByAddress(other.network));
            } catch (UnknownHostException impossible) {
                throw new IllegalStateException(impossible);
            }
        }
    }
}
