package com.hrplatform.mailchimp.local.testfunctions;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** Test function for the Invoke API: echoes its input plus what it sees of its context and configuration. */
public class EchoInvokeHandler implements RequestHandler<Map<String, Object>, Map<String, Object>> {

    public static final AtomicInteger INSTANCES = new AtomicInteger();

    public EchoInvokeHandler() {
        INSTANCES.incrementAndGet();
    }

    @Override
    public Map<String, Object> handleRequest(Map<String, Object> input, Context context) {
        if (Boolean.TRUE.equals(input.get("throw"))) {
            throw new IllegalArgumentException("asked to fail");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("input", input);
        out.put("functionName", context.getFunctionName());
        out.put("requestId", context.getAwsRequestId());
        out.put("remainingMillis", context.getRemainingTimeInMillis());
        out.put("memory", context.getMemoryLimitInMB());
        for (String name : new String[] {"TEST_TABLE", "TEST_QUEUE_URL", "TEST_KEY_ID", "TEST_GREETING", "TEST_MODE",
                "MAILCHIMP_BASE_URL", "ONLY_INVOKE"}) {
            out.put(name, System.getProperty(name));
        }
        return out;
    }
}
