package com.hrplatform.mailchimp.local;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.hrplatform.mailchimp.local.template.LocalTemplate;
import com.hrplatform.mailchimp.local.template.ScheduleExpression;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Fires the template's {@code ScheduleV2}/{@code Schedule} events (UTC) with a ScheduledEvent-shaped payload
 * ({@code source} aws.scheduler or aws.events), or the event's Input when one is configured.
 */
final class Schedules {

    private final Map<String, FunctionHost> functions;
    private final ScheduledExecutorService timer;
    private final List<LocalTemplate.Schedule> all = new ArrayList<>();

    Schedules(Map<String, FunctionHost> functions) {
        this.functions = functions;
        for (FunctionHost f : functions.values()) {
            all.addAll(f.spec().schedules());
        }
        timer = Executors.newScheduledThreadPool(1, r -> {
            Thread t = new Thread(r, "local-schedules");
            t.setDaemon(true);
            return t;
        });
    }

    List<LocalTemplate.Schedule> schedules() {
        return all;
    }

    void start() {
        for (LocalTemplate.Schedule s : all) {
            if (s.enabled()) {
                plan(s, ScheduleExpression.parse(s.expression()), Instant.now());
            }
        }
    }

    private void plan(LocalTemplate.Schedule s, ScheduleExpression expr, Instant after) {
        Instant next = expr.next(after);
        if (next == null || timer.isShutdown()) {
            return;
        }
        long delay = Math.max(0, Instant.now().until(next, ChronoUnit.MILLIS));
        timer.schedule(() -> {
            FunctionHost.Result r = fire(s, next);
            System.out.println("[schedule] " + s.functionId() + " (" + s.expression() + ")"
                    + (r.failed() ? " failed: " + r.errorType() + ": " + Http.oneLine(r.errorMessage()) : " ok"));
            plan(s, expr, next);
        }, delay, TimeUnit.MILLISECONDS);
    }

    /** Fires the first schedule of a function now (tests, {@code POST /_local/schedules/{Function}}). */
    Optional<FunctionHost.Result> fireNow(String functionId) {
        return all.stream().filter(s -> s.functionId().equals(functionId)).findFirst()
                .map(s -> fire(s, Instant.now().truncatedTo(ChronoUnit.SECONDS)));
    }

    private FunctionHost.Result fire(LocalTemplate.Schedule s, Instant time) {
        return functions.get(s.functionId()).invoke(payload(s, time));
    }

    static String payload(LocalTemplate.Schedule s, Instant time) {
        if (s.input() != null) {
            return s.input();
        }
        boolean v2 = s.type().equals("ScheduleV2");
        ObjectNode e = Http.JSON.createObjectNode();
        e.put("version", "0");
        e.put("id", UUID.randomUUID().toString());
        e.put("detail-type", "Scheduled Event");
        e.put("source", v2 ? "aws.scheduler" : "aws.events");
        e.put("account", "000000000000");
        e.put("time", time.truncatedTo(ChronoUnit.SECONDS).toString());
        e.put("region", "us-east-1");
        e.putArray("resources").add(v2
                ? "arn:aws:scheduler:us-east-1:000000000000:schedule/default/" + s.functionId() + s.eventName()
                : "arn:aws:events:us-east-1:000000000000:rule/" + s.functionId() + s.eventName());
        e.putObject("detail");
        return e.toString();
    }

    void stop() {
        timer.shutdownNow();
    }
}
