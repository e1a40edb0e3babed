/**
 * The Java SDK of Sluice, a concurrency-control service: a counting semaphore with a durable FIFO
 * queue in front of it, used over HTTP/JSON.
 *
 * <p>Start with {@link dev.sluice.client.Sluice}: {@code Sluice.connect(url)} gives a thread-safe
 * client (one per process); {@code sluice.semaphore(name)} a {@link dev.sluice.client.Semaphore}
 * handle with the three ways to acquire — {@code tryAcquire()} (now or never),
 * {@code acquire(wait)} (in the server's FIFO queue) and {@code submit(payload)} (an async job,
 * processed by a {@link dev.sluice.client.Worker}). Held {@link dev.sluice.client.Permit}s and
 * claimed {@link dev.sluice.client.Job}s are heartbeated in the background and report a lost
 * lease instead of failing silently.
 *
 * <p>Every failure is an unchecked {@link dev.sluice.client.SluiceException} carrying the server's
 * stable problem {@code code} (see {@link dev.sluice.client.ProblemCode}). Dependencies: the JDK's
 * {@code java.net.http} and Jackson 3.
 */
package dev.sluice.client;
