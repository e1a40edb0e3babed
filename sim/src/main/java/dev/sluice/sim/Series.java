package dev.sluice.sim;

/**
 * Time series of one run in equal buckets of {@link #bucketWidth()} seconds (the last one may be partial).
 * Levels are time-weighted means over the bucket (plus the maximum); counts are per bucket.
 *
 * @param bucketWidth bucket width, seconds
 * @param time        start of each bucket, seconds
 * @param inUse       mean permits held
 * @param inUseMax    most permits held at any instant of the bucket
 * @param limit       mean limit
 * @param waiting     mean queue length (0 in sync mode)
 * @param waitingMax  longest queue in the bucket
 * @param arrivals    requests that arrived in the bucket
 * @param rejections  requests finally rejected in the bucket
 * @param retries     sync tries rejected in the bucket that were retried later (not counted in rejections)
 */
public record Series(
        double bucketWidth,
        double[] time,
        double[] inUse,
        double[] inUseMax,
        double[] limit,
        double[] waiting,
        double[] waitingMax,
        long[] arrivals,
        long[] rejections,
        long[] retries) {

    /** Number of buckets. */
    public int size() {
        return time.length;
    }

    /** The index of the bucket holding time {@code t}, clamped to the series. */
    public int bucketOf(double t) {
        int i = (int) Math.floor(t / bucketWidth);
        return Math.max(0, Math.min(time.length - 1, i));
    }
}
