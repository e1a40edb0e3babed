package dev.sluice.core.semaphore;

import dev.sluice.core.Limits;
import dev.sluice.core.SluiceException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;

/**
 * How a semaphore's async jobs reach their processor.
 *
 * <p>The {@code secret} is write-only: it is set only on a config that arrives from a user (a
 * {@code PUT}, a {@code PATCH}, the config file), and the rules move it out of the config into the
 * semaphore's {@link WebhookSecrets} before the config is kept. A config read back from the store,
 * and so every view of it, has none. {@link #toString()} never shows it.
 *
 * @param mode             {@link Mode#PULL} (workers claim) or {@link Mode#WEBHOOK} (the server pushes)
 * @param url              the webhook URL; null in pull mode
 * @param timeout          how long a webhook may take to answer; null in pull mode
 * @param releaseOnSuccess whether a 2xx answer completes the job at once
 * @param secret           a new signing secret asked for by the user, or null to keep the current one
 */
public record Delivery(Mode mode, String url, Duration timeout, boolean releaseOnSuccess, String secret) {
    public enum Mode { PULL, WEBHOOK }

    public static final Delivery PULL = new Delivery(Mode.PULL, null, null, false, null);

    public Delivery {
        if (mode == null) {
            throw SluiceException.invalid("delivery.mode is required: pull or webhook");
        }
        if (mode == Mode.PULL) {
            url = null;
            timeout = null;
            releaseOnSuccess = false;
            secret = null;
        } else {
            checkUrl(url);
            if (timeout == null) {
                timeout = Limits.DEFAULT_WEBHOOK_TIMEOUT;
            }
            if (timeout.compareTo(Limits.MIN_WEBHOOK_TIMEOUT) < 0 || timeout.compareTo(Limits.MAX_WEBHOOK_TIMEOUT) > 0) {
                throw SluiceException.invalid("delivery.timeout must be between " + Limits.MIN_WEBHOOK_TIMEOUT + " and "
                        + Limits.MAX_WEBHOOK_TIMEOUT + ", got " + timeout);
            }
            if (secret != null) {
                WebhookSecrets.check(secret);
            }
        }
    }

    private static void checkUrl(String url) {
        if (url == null || url.length() > Limits.MAX_WEBHOOK_URL_LENGTH) {
            throw SluiceException.invalid("delivery.url is required: an http:// or https:// URL of at most "
                    + Limits.MAX_WEBHOOK_URL_LENGTH + " characters");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw SluiceException.invalid("delivery.url is not a valid URL: " + e.getReason());
        }
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
            throw SluiceException.invalid("delivery.url must be an http:// or https:// URL with a host");
        }
        if (uri.getRawUserInfo() != null) {
            throw SluiceException.invalid("delivery.url must not carry credentials; sign-in is by the signature");
        }
    }

    /** A webhook delivery without a new secret: the semaphore keeps the one it has (or gets one). */
    public Delivery(Mode mode, String url, Duration timeout, boolean releaseOnSuccess) {
        this(mode, url, timeout, releaseOnSuccess, null);
    }

    public static Delivery webhook(String url, Duration timeout, boolean releaseOnSuccess) {
        return new Delivery(Mode.WEBHOOK, url, timeout, releaseOnSuccess, null);
    }

    public boolean isWebhook() {
        return mode == Mode.WEBHOOK;
    }

    /** The same delivery without the write-only secret: the form that is kept and shown. */
    public Delivery withoutSecret() {
        return secret == null ? this : new Delivery(mode, url, timeout, releaseOnSuccess, null);
    }

    public Delivery withSecret(String newSecret) {
        return new Delivery(mode, url, timeout, releaseOnSuccess, newSecret);
    }

    @Override
    public String toString() {
        return mode == Mode.PULL ? "Delivery[pull]"
                : "Delivery[webhook " + url + ", timeout " + timeout + (releaseOnSuccess ? ", releaseOnSuccess" : "")
                + (secret != null ? ", secret ****" : "") + "]";
    }
}
