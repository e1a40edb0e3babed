package dev.sluice.store.postgres;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the PostgreSQL store is, as the user wrote it: a JDBC URL
 * ({@code jdbc:postgresql://host:port/db?user=u&password=p}) or a libpq URI
 * ({@code postgresql://u:p@host:port/db?sslmode=require}, also {@code postgres://}). Query
 * parameters go to the driver, except Sluice's own: {@code poolSize} (connections per node).
 *
 * @param jdbcUrl  the URL for the driver, without user and password when they came in a URI's user info
 * @param user     from the URI's user info, or null (then the JDBC URL's own {@code user} parameter, if any)
 * @param password from the URI's user info, or null
 * @param poolSize the most connections one node keeps open
 * @param display  the URL with any password masked: for logs and errors
 */
public record PostgresUrl(String jdbcUrl, String user, String password, int poolSize, String display) {
    public static final int DEFAULT_POOL_SIZE = 10;
    public static final int MAX_POOL_SIZE = 1000;

    /** Whether {@code url} names a PostgreSQL store. */
    public static boolean matches(String url) {
        return url.startsWith("jdbc:postgresql:") || url.startsWith("postgresql://") || url.startsWith("postgres://");
    }

    /** Parses a store URL; throws {@link IllegalArgumentException} saying what is wrong. */
    public static PostgresUrl parse(String url) {
        if (!matches(url)) {
            throw new IllegalArgumentException("not a PostgreSQL URL: " + mask(url)
                    + " (expected jdbc:postgresql://host:port/db?user=… or postgresql://user@host:port/db)");
        }
        int q = url.indexOf('?');
        String query = q < 0 ? "" : url.substring(q + 1);
        String base = q < 0 ? url : url.substring(0, q);
        List<String> driverParams = new ArrayList<>();
        String pool = null;
        for (String pair : query.split("&")) {
            if (pair.startsWith("poolSize=")) {
                pool = pair.substring("poolSize=".length());
            } else if (!pair.isEmpty()) {
                driverParams.add(pair);
            }
        }
        int poolSize = poolSize(pool);

        String user = null;
        String password = null;
        String jdbc;
        if (url.startsWith("jdbc:")) {
            jdbc = base;   // the driver's own syntax: passed on as written
        } else {
            String rest = base.substring(base.indexOf("//") + 2);
            int slash = rest.indexOf('/');
            String authority = slash < 0 ? rest : rest.substring(0, slash);
            String database = slash < 0 ? "" : rest.substring(slash + 1);
            int at = authority.lastIndexOf('@');
            if (at >= 0) {
                String userInfo = authority.substring(0, at);
                authority = authority.substring(at + 1);
                int colon = userInfo.indexOf(':');
                user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
                password = colon < 0 ? null : decode(userInfo.substring(colon + 1));
            }
            jdbc = "jdbc:postgresql://" + (authority.isEmpty() ? "localhost" : authority) + "/" + database;
        }
        if (!driverParams.isEmpty()) {
            jdbc += "?" + String.join("&", driverParams);
        }
        return new PostgresUrl(jdbc, user, password, poolSize, mask(url));
    }

    private static int poolSize(String value) {
        if (value == null) {
            return DEFAULT_POOL_SIZE;
        }
        int size;
        try {
            size = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            size = -1;
        }
        if (size < 1 || size > MAX_POOL_SIZE) {
            throw new IllegalArgumentException("poolSize must be 1 … " + MAX_POOL_SIZE + ", got " + value);
        }
        return size;
    }

    /** The URL with the password (in user info or as a parameter) replaced by {@code ***}. */
    public static String mask(String url) {
        return url.replaceAll("(?i)(password=)[^&]*", "$1***").replaceAll("(://[^/@:]*:)[^/@]*@", "$1***@");
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return display;
    }
}
