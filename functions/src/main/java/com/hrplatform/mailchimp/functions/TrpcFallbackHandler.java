package com.hrplatform.mailchimp.functions;

import com.hrplatform.mailchimp.api.TrpcHandler;
import com.hrplatform.mailchimp.api.TrpcRouter;

/**
 * Behind the {@code /trpc/{proxy+}} route: every path no other function serves is an unknown procedure,
 * answered with tRPC's NOT_FOUND envelope (after the same identity check as every procedure).
 */
public class TrpcFallbackHandler extends TrpcHandler {
    public TrpcFallbackHandler() {
        super(new TrpcRouter(), null);
    }
}
