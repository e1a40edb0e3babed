package dev.sluice.core.semaphore;

import dev.sluice.core.Limits;
import dev.sluice.core.SluiceException;
import java.time.Instant;
import java.util.List;

/**
 * The secrets a webhook semaphore signs its deliveries with. After a rotation the previous secret
 * stays valid until {@code previousUntil}: deliveries carry a signature by each valid secret, so
 * processors can move to the new secret at their own pace (as Stripe does). Never part of a view.
 *
 * @param current       the secret of every signature
 * @param previous      the secret before the last rotation, or null
 * @param previousUntil until when {@code previous} still signs; null when there is none
 */
public record WebhookSecrets(String current, String previous, Instant previousUntil) {

    public WebhookSecrets {
        check(current);
        if ((previous == null) != (previousUntil == null)) {
            throw new IllegalArgumentException("a previous secret needs its end of validity, and only then");
        }
    }

    public static WebhookSecrets of(String secret) {
        return new WebhookSecrets(secret, null, null);
    }

    /** Validates a secret a user chose; the error never repeats it. */
    static void check(String secret) {
        if (secret == null || secret.length() < Limits.MIN_WEBHOOK_SECRET_LENGTH
                || secret.length() > Limits.MAX_WEBHOOK_SECRET_LENGTH || !secret.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw SluiceException.invalid("delivery.secret must be " + Limits.MIN_WEBHOOK_SECRET_LENGTH + " to "
                    + Limits.MAX_WEBHOOK_SECRET_LENGTH + " printable ASCII characters without spaces");
        }
    }

    /** {@code next} becomes the current secret; the current one keeps signing until {@code graceEnd}. */
    public WebhookSecrets rotatedTo(String next, Instant graceEnd) {
        return new WebhookSecrets(next, current, graceEnd);
    }

    /** The secrets that sign a delivery made at {@code now}: the current one first. */
    public List<String> signingAt(Instant now) {
        return previous != null && now.isBefore(previousUntil) ? List.of(current, previous) : List.of(current);
    }

    @Override
    public String toString() {
        return "WebhookSecrets[****" + (previous != null ? ", previous **** until " + previousUntil : "") + "]";
    }
}
