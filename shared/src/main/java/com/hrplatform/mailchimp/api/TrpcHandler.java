package com.hrplatform.mailchimp.api;

import com.hrplatform.mailchimp.mailchimp.CallDeadline;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import org.crac.Core;
import org.crac.Resource;
import org.slf4j.MDC;

import java.time.Duration;
import java.time.Instant;
import software.amazon.lambda.powertools.logging.PowertoolsLogging;

import java.util.Map;

/**
 * Base of every API function: Powertools logging around a {@link TrpcRouter}. With SnapStart, the
 * CRaC {@code beforeCheckpoint} hook serves one read-only procedure so the snapshot holds a warmed
 * code path (JSON, SDK marshalling, HTTP client).
 */
public abstract class TrpcHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse>, Resource {
    /** Time kept back from the function's limit to write the answer. */
    private static final Duration ANSWER_MARGIN = Duration.ofSeconds(2);

    private final TrpcRouter router;
    private final String primingPath;

    /**
     * @param primingPath a read-only query served once before a SnapStart snapshot, or null for none
     */
    protected TrpcHandler(TrpcRouter router, String primingPath) {
        this.router = router;
        this.primingPath = primingPath;
        if (primingPath != null) {
            Core.getGlobalContext().register(this);
        }
    }

    public TrpcRouter router() {
        return router;
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        return PowertoolsLogging.withLogging(context, () -> {
            String requestId = event.getRequestContext() != null ? event.getRequestContext().getRequestId() : null;
            MDC.put("correlation_id", requestId != null ? requestId : context.getAwsRequestId());
            try {
                // Answer before API Gateway gives up (30 s): Mailchimp calls stop in time to return a tRPC error.
                return CallDeadline.within(Instant.now().plusMillis(context.getRemainingTimeInMillis()).minus(ANSWER_MARGIN),
                        () -> router.handle(event));
            } finally {
                MDC.remove("correlation_id");
            }
        });
    }

    /** Serves the priming query once; what it answers does not matter, only the code it loads. */
    public void prime() {
        router.handle(primingEvent(primingPath));
    }

    @Override
    public void beforeCheckpoint(org.crac.Context<? extends Resource> context) {
        prime();
    }

    @Override
    public void afterRestore(org.crac.Context<? extends Resource> context) {
        // Nothing to refresh: clients re-establish connections on first use after a restore.
    }

    static APIGatewayV2HTTPEvent primingEvent(String path) {
        var jwt = new APIGatewayV2HTTPEvent.RequestContext.Authorizer.JWT();
        jwt.setClaims(Map.of("sub", "snapstart-priming", "org_id", "snapstart-priming", "role", "member"));
        var authorizer = new APIGatewayV2HTTPEvent.RequestContext.Authorizer();
        authorizer.setJwt(jwt);
        var http = new APIGatewayV2HTTPEvent.RequestContext.Http();
        http.setMethod("GET");
        http.setPath(TrpcRouter.PREFIX + path);
        var requestContext = new APIGatewayV2HTTPEvent.RequestContext();
        requestContext.setHttp(http);
        requestContext.setAuthorizer(authorizer);
        requestContext.setRequestId("snapstart-priming");
        return APIGatewayV2HTTPEvent.builder()
                .withRawPath(TrpcRouter.PREFIX + path)
                .withRequestContext(requestContext)
                .build();
    }
}
