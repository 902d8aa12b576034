package com.hrplatform.mailchimp.sync;

import com.hrplatform.mailchimp.mailchimp.MailchimpException;

/**
 * Fails one external call of a sync in turn: the k-th call (Mailchimp or storage) either fails before it does
 * anything, or does its work and then loses the answer, as a timeout or a crash does.
 */
final class Faults {
    private int calls;
    private int failAt = -1;
    private boolean afterApplying;
    private int fired;

    /** Arms a fault at the call numbered {@code index} from now (0: the next call). */
    void arm(int index, boolean afterApplying) {
        this.failAt = calls + index;
        this.afterApplying = afterApplying;
    }

    private int eventAt = -1;
    private Runnable event;

    /** Runs {@code what} just before the call numbered {@code index} from now: something happening meanwhile. */
    void onCall(int index, Runnable what) {
        eventAt = calls + index;
        event = what;
    }

    void disarm() {
        failAt = -1;
        eventAt = -1;
        event = null;
    }

    int fired() {
        return fired;
    }

    /** Runs one external call, failing it if its turn has come. */
    <T> T call(boolean mailchimp, java.util.function.Supplier<T> work) {
        int index = calls++;
        if (Boolean.getBoolean("sync.trace")) { // -Dsync.trace=true: each call of a failing history, numbered
            StackTraceElement caller = Thread.currentThread().getStackTrace()[mailchimp ? 3 : 3];
            System.out.println("  call " + index + (index == failAt ? " FAIL" + (afterApplying ? " after" : " before") : "")
                    + (index == eventAt ? " EVENT" : "") + " " + caller.getMethodName() + " <- "
                    + Thread.currentThread().getStackTrace()[4].getMethodName());
        }
        if (index == eventAt) {
            Runnable what = event;
            eventAt = -1;
            event = null;
            what.run();
        }
        if (index != failAt) {
            return work.get();
        }
        failAt = -1;
        fired++;
        if (afterApplying) {
            work.get();
        }
        throw mailchimp ? new MailchimpException(MailchimpException.Kind.TIMEOUT, 0, "Mailchimp did not answer in time", null)
                : new IllegalStateException("Storage is unavailable");
    }

    void run(boolean mailchimp, Runnable work) {
        call(mailchimp, () -> {
            work.run();
            return null;
        });
    }
}
