package dev.sluice.core.semaphore;

import java.time.Duration;

/**
 * How a semaphore's async jobs reach their processor.
 *
 * @param mode             {@link Mode#PULL} (workers claim) or {@link Mode#WEBHOOK} (the server pushes)
 * @param url              the webhook URL; null in pull mode
 * @param timeout          how long a webhook may take to answer; null in pull mode
 * @param releaseOnSuccess whether a 2xx answer completes the job at once
 */
public record Delivery(Mode mode, String url, Duration timeout, boolean releaseOnSuccess) {
    public enum Mode { PULL, WEBHOOK }

    public static final Delivery PULL = new Delivery(Mode.PULL, null, null, false);
}
