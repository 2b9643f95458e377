package org.daair.stream.cli.distributed;

import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.RetriableException;
import org.slf4j.Logger;

/**
 * Kafka errors that pass: a broker restarting, a leader moving, a connection lost, a rebalance in
 * the middle of a commit. The stages retry them with exponential backoff (100 ms doubling to 5 s)
 * and log the first one of an outage and its end, instead of stopping the job. Not thread-safe:
 * one per loop.
 */
final class Transient {

    private static final long FIRST_MS = 100;
    private static final long MAX_MS = 5_000;

    private final Logger log;
    private final String what;
    private long backoffMs = FIRST_MS;
    private int failures;

    Transient(Logger log, String what) {
        this.log = log;
        this.what = what;
    }

    /** Whether E (or one of its causes) is an error that a retry can get past. */
    static boolean is(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof RetriableException || t instanceof CommitFailedException
                    || t instanceof RebalanceInProgressException) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    /**
     * Called after a failed attempt: rethrows E unless it is transient; otherwise logs it (the
     * first of a run of failures only) and waits the next backoff.
     */
    void failed(RuntimeException e) throws InterruptedException {
        if (!is(e)) {
            throw e;
        }
        if (failures++ == 0) {
            log.warn("{}: {} - retrying with backoff until the broker answers", what, e.toString());
        }
        Thread.sleep(backoffMs);
        backoffMs = Math.min(MAX_MS, backoffMs * 2);
    }

    /**
     * Called for a send that failed after the producer had already retried it for its delivery
     * timeout (that was the backoff): like {@link #failed}, but pauses only briefly, so the frames
     * that expired together during one outage are sent again together.
     */
    void expired(RuntimeException e) throws InterruptedException {
        if (!is(e)) {
            throw e;
        }
        if (failures++ == 0) {
            log.warn("{}: {} - sending again until the broker answers", what, e.toString());
        }
        Thread.sleep(FIRST_MS);
    }

    /** Called after a successful attempt: ends a run of failures (and says so if there was one). */
    void succeeded() {
        if (failures > 0) {
            log.info("{}: working again after {} failed attempts", what, failures);
        }
        failures = 0;
        backoffMs = FIRST_MS;
    }

    /** Failed attempts since the last success. */
    int failures() {
        return failures;
    }
}
