package com.hrplatform.mailchimp.local;

import org.elasticmq.NodeAddress;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;

/** ElasticMQ embedded, on 127.0.0.1, queue URLs and ARNs in us-east-1 / account 000000000000. */
final class ElasticMq implements AutoCloseable {

    private final SQSRestServer server;
    private final int port;

    private ElasticMq(SQSRestServer server, int port) {
        this.server = server;
        this.port = port;
    }

    /** Port 0 = a free port (ElasticMQ cannot pick one itself; a lost race for it is retried, as for dynalite). */
    static ElasticMq start(int requestedPort) {
        return requestedPort != 0 ? startOn(requestedPort)
                : Http.startOnFreePort(ElasticMq::startOn, "Address already in use");
    }

    private static ElasticMq startOn(int port) {
        SQSRestServer server = SQSRestServerBuilder
                .withInterface("127.0.0.1")
                .withPort(port)
                .withServerAddress(new NodeAddress("http", "127.0.0.1", port, ""))
                .withAWSRegion("us-east-1")
                .withAWSAccountId("000000000000")
                .start();
        try {
            server.waitUntilStarted();
        } catch (RuntimeException e) {
            try {
                server.stopAndWait();
            } catch (RuntimeException ignored) {
                // did not start
            }
            throw new IllegalStateException("ElasticMQ did not start on port " + port + ": " + e.getMessage(), e);
        }
        return new ElasticMq(server, port);
    }

    int port() {
        return port;
    }

    String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    @Override
    public void close() {
        server.stopAndWait();
    }
}
