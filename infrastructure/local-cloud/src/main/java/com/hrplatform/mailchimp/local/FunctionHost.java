package com.hrplatform.mailchimp.local;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.amazonaws.services.lambda.runtime.serialization.factories.JacksonFactory;
import com.hrplatform.mailchimp.local.template.LocalTemplate;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Hosts one template function in this JVM like warm Lambda containers: the handler class is instantiated
 * with its no-arg constructor once per concurrently running invocation (instances are reused, never more
 * than needed), events arrive as JSON and are (de)serialised as the Java Lambda runtime does
 * ({@link LambdaEventSerializers} for the events library's types, the runtime's Jackson otherwise).
 */
final class FunctionHost {

    /** The outcome of one invocation: the result JSON, or an error as the Invoke API reports it. */
    record Result(String json, String errorType, String errorMessage) {
        boolean failed() {
            return errorType != null;
        }
    }

    private final LocalTemplate.Function spec;
    private final Class<?> handlerClass;
    private final Method method;
    private final Kind kind;
    private final PojoSerializer<Object> inputSerializer;
    private final ClassLoader loader;
    private final ConcurrentLinkedDeque<Object> idle = new ConcurrentLinkedDeque<>();
    private final Map<Class<?>, PojoSerializer<Object>> outputSerializers = new ConcurrentHashMap<>();
    private final ExecutorService executor;
    private final AtomicInteger running = new AtomicInteger();
    /** CPU its invocations' threads used, measured on the invoking thread (a benchmark's per-function figure). */
    private final java.util.concurrent.atomic.LongAdder handlerCpuNanos = new java.util.concurrent.atomic.LongAdder();

    private enum Kind { STREAM, POJO_WITH_CONTEXT, POJO, NO_INPUT, NO_INPUT_WITH_CONTEXT }

    FunctionHost(LocalTemplate.Function spec, ClassLoader loader, ExecutorService executor) {
        this.spec = spec;
        this.loader = loader;
        this.executor = executor;
        try {
            handlerClass = Class.forName(spec.handlerClass(), true, loader);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("Function " + spec.logicalId() + ": handler class " + spec.handlerClass()
                    + " is not on the classpath", e);
        }
        Method found = null;
        Kind k = null;
        for (Method m : handlerClass.getMethods()) {
            if (!m.getName().equals(spec.handlerMethod()) || m.isBridge() || m.isSynthetic() || Modifier.isStatic(m.getModifiers())) {
                continue;
            }
            Class<?>[] p = m.getParameterTypes();
            Kind candidate = null;
            if (p.length == 3 && p[0] == InputStream.class && p[1] == OutputStream.class && p[2] == Context.class) {
                candidate = Kind.STREAM;
            } else if (p.length == 2 && p[1] == Context.class) {
                candidate = Kind.POJO_WITH_CONTEXT;
            } else if (p.length == 1 && p[0] == Context.class) {
                candidate = Kind.NO_INPUT_WITH_CONTEXT;
            } else if (p.length == 1) {
                candidate = Kind.POJO;
            } else if (p.length == 0) {
                candidate = Kind.NO_INPUT;
            }
            if (candidate != null && (found == null || candidate.ordinal() < k.ordinal())) {
                found = m;
                k = candidate;
            }
        }
        if (found == null) {
            throw new IllegalStateException("Function " + spec.logicalId() + ": no public method " + spec.handlerMethod()
                    + " with a Lambda handler signature in " + spec.handlerClass());
        }
        method = found;
        kind = k;
        if (kind == Kind.POJO || kind == Kind.POJO_WITH_CONTEXT) {
            inputSerializer = serializerFor(method.getGenericParameterTypes()[0]);
        } else {
            inputSerializer = null;
        }
    }

    @SuppressWarnings("unchecked")
    private PojoSerializer<Object> serializerFor(Type type) {
        if (type instanceof Class<?> c && LambdaEventSerializers.isLambdaSupportedEvent(c.getName())) {
            return (PojoSerializer<Object>) LambdaEventSerializers.serializerFor(c, loader);
        }
        return JacksonFactory.getInstance().getSerializer(type);
    }

    String id() {
        return spec.logicalId();
    }

    LocalTemplate.Function spec() {
        return spec;
    }

    int running() {
        return running.get();
    }

    /** Creates the first instance now, so a broken constructor fails the start, not the first request. */
    void warmUp() {
        idle.push(newInstance());
    }

    private Object newInstance() {
        try {
            Constructor<?> c = handlerClass.getConstructor();
            return c.newInstance();
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("Function " + spec.logicalId() + ": constructor of " + spec.handlerClass()
                    + " failed: " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Function " + spec.logicalId() + ": " + spec.handlerClass()
                    + " needs a public no-arg constructor", e);
        }
    }

    private static final java.lang.management.ThreadMXBean THREAD_CPU = java.lang.management.ManagementFactory.getThreadMXBean();

    /** CPU nanoseconds the handler's invocations used on their own threads so far (not the pools they hand work to). */
    long handlerCpuNanos() {
        return handlerCpuNanos.sum();
    }

    /** Invokes the function with an event given as JSON; never throws for handler errors. */
    Result invoke(String eventJson) {
        running.incrementAndGet();
        try {
            String requestId = UUID.randomUUID().toString();
            Future<Result> f = executor.submit(() -> {
                long cpuBefore = THREAD_CPU.getCurrentThreadCpuTime();
                try {
                    return invokeNow(eventJson, requestId);
                } finally {
                    handlerCpuNanos.add(THREAD_CPU.getCurrentThreadCpuTime() - cpuBefore);
                }
            });
            try {
                return f.get(spec.timeoutSeconds(), TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                f.cancel(true);
                return new Result(null, "Sandbox.Timedout",
                        requestId + " Task timed out after " + spec.timeoutSeconds() + ".00 seconds");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                f.cancel(true);
                return new Result(null, "Interrupted", "The local runner is shutting down");
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                return new Result(null, c.getClass().getName(), String.valueOf(c.getMessage()));
            }
        } finally {
            running.decrementAndGet();
        }
    }

    private Result invokeNow(String eventJson, String requestId) {
        Object instance = idle.poll();
        if (instance == null) {
            try {
                instance = newInstance();
            } catch (IllegalStateException e) {
                Throwable c = e.getCause() == null ? e : e.getCause();
                return new Result(null, c.getClass().getName(), String.valueOf(c.getMessage()));
            }
        }
        Context context = new LocalContext(requestId, spec.logicalId(), spec.memoryMb(), spec.timeoutSeconds());
        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        Thread.currentThread().setContextClassLoader(loader);
        try {
            String body = eventJson == null || eventJson.isBlank() ? "{}" : eventJson;
            Object result;
            switch (kind) {
                case STREAM: {
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    method.invoke(instance, new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)), out, context);
                    idle.push(instance);
                    return new Result(out.toString(StandardCharsets.UTF_8), null, null);
                }
                case POJO_WITH_CONTEXT:
                    result = method.invoke(instance, inputSerializer.fromJson(body), context);
                    break;
                case POJO:
                    result = method.invoke(instance, inputSerializer.fromJson(body));
                    break;
                case NO_INPUT_WITH_CONTEXT:
                    result = method.invoke(instance, context);
                    break;
                default:
                    result = method.invoke(instance);
                    break;
            }
            idle.push(instance);
            return new Result(toJson(result), null, null);
        } catch (InvocationTargetException e) {
            idle.push(instance); // Lambda reuses the container after a handled-by-runtime exception
            Throwable c = e.getCause();
            return new Result(null, c.getClass().getName(), String.valueOf(c.getMessage()));
        } catch (Exception e) {
            // input that does not deserialise into the handler's type
            idle.push(instance);
            Throwable c = e.getCause() != null && e.getMessage() == null ? e.getCause() : e;
            return new Result(null, c.getClass().getName(), String.valueOf(c.getMessage()));
        } finally {
            Thread.currentThread().setContextClassLoader(previous);
        }
    }

    private String toJson(Object result) {
        if (result == null) {
            return "null";
        }
        PojoSerializer<Object> s = outputSerializers.computeIfAbsent(result.getClass(), this::serializerFor);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        s.toJson(result, out);
        return out.toString(StandardCharsets.UTF_8);
    }
}
