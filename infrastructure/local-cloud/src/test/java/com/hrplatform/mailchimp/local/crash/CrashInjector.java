package com.hrplatform.mailchimp.local.crash;

import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Crash points in every AWS SDK client of this JVM (registered through the SDK's global interceptors file, so the
 * functions' own clients are reached without a hook in product code). For an org under test it counts the calls
 * that change something (DynamoDB writes, SQS sends, events put for the platform) and, when told, kills the invocation at the n-th one: with an
 * {@link Error} before the call goes out, or after its answer came back (the write done, the answer lost). An
 * Error, like a crashed runtime, passes every {@code catch (RuntimeException)} of the product.
 */
public final class CrashInjector implements ExecutionInterceptor {
    static final Set<String> WRITES = Set.of("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem",
            "TransactWriteItems", "SendMessage", "SendMessageBatch", "PutEvents");

    /** Which call to fail: the {@code index}-th write (from 0) made for {@code orgId}, before or after it. */
    public record Plan(int index, boolean after) {
    }

    /** The invocation was killed here (never caught by product code, which catches RuntimeException at most). */
    public static final class Crash extends Error {
        Crash(String where) {
            super("crash point: " + where);
        }
    }

    private static final class Watch {
        final AtomicInteger calls = new AtomicInteger();
        final List<String> seen = new ArrayList<>();
        volatile Plan plan;
        volatile String fired;
    }

    private static final ConcurrentHashMap<String, Watch> WATCHED = new ConcurrentHashMap<>();
    private static final AtomicInteger FAILURES_LEFT = new AtomicInteger();
    private static volatile String failuresMatching;

    /**
     * Fails the next {@code times} calls of any kind whose request mentions {@code text}, as an unreachable
     * service would (an SDK client exception): for reads that must be retried rather than remembered as broken.
     */
    public static void failCalls(String text, int times) {
        failuresMatching = text;
        FAILURES_LEFT.set(times);
    }

    public static int failuresLeft() {
        return FAILURES_LEFT.get();
    }

    /** Counts the writes made for {@code orgId} from now on and fails the one {@code plan} names (null: none). */
    public static void watch(String orgId, Plan plan) {
        Watch watch = new Watch();
        watch.plan = plan;
        WATCHED.put(orgId, watch);
    }

    /** Stops failing calls of the org (it keeps counting). */
    public static void disarm(String orgId) {
        Watch watch = WATCHED.get(orgId);
        if (watch != null) {
            watch.plan = null;
        }
    }

    /** Stops watching; answers the writes seen, as "Service.Operation". */
    public static List<String> stop(String orgId) {
        Watch watch = WATCHED.remove(orgId);
        if (watch == null) {
            return List.of();
        }
        synchronized (watch.seen) {
            return List.copyOf(watch.seen);
        }
    }

    /** Where the planned crash happened, or null if the flow never reached that call. */
    public static String fired(String orgId) {
        Watch watch = WATCHED.get(orgId);
        return watch == null ? null : watch.fired;
    }

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        String matching = failuresMatching;
        if (matching != null && FAILURES_LEFT.get() > 0 && context.request().toString().contains(matching)
                && FAILURES_LEFT.getAndDecrement() > 0) {
            throw software.amazon.awssdk.core.exception.SdkClientException.create("injected: " + name(attributes)
                    + " could not be reached");
        }
        Watch watch = watched(context.request(), attributes);
        if (watch == null) {
            return;
        }
        int index = watch.calls.getAndIncrement();
        String call = name(attributes);
        synchronized (watch.seen) {
            watch.seen.add(call);
        }
        attributes.putAttribute(CALL_INDEX, index);
        Plan plan = watch.plan;
        if (plan != null && !plan.after() && plan.index() == index) {
            watch.plan = null;
            watch.fired = "before " + call + " #" + index;
            throw new Crash(watch.fired);
        }
    }

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
        Integer index = attributes.getAttribute(CALL_INDEX);
        if (index == null) {
            return;
        }
        Watch watch = watched(context.request(), attributes);
        Plan plan = watch == null ? null : watch.plan;
        if (plan != null && plan.after() && plan.index() == index) {
            watch.plan = null;
            watch.fired = "after " + name(attributes) + " #" + index;
            throw new Crash(watch.fired);
        }
    }

    private static final software.amazon.awssdk.core.interceptor.ExecutionAttribute<Integer> CALL_INDEX =
            new software.amazon.awssdk.core.interceptor.ExecutionAttribute<>("CrashInjectorCallIndex");

    private static Watch watched(SdkRequest request, ExecutionAttributes attributes) {
        if (WATCHED.isEmpty() || !WRITES.contains(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME))) {
            return null;
        }
        String text = request.toString();
        for (var entry : WATCHED.entrySet()) {
            if (text.contains(entry.getKey())) {
                return entry.getValue();
            }
        }
        return null;
    }

    private static String name(ExecutionAttributes attributes) {
        return attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME) + "."
                + attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
    }
}
