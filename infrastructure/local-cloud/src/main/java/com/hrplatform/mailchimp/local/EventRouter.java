package com.hrplatform.mailchimp.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.hrplatform.mailchimp.local.template.LocalTemplate;
import com.hrplatform.mailchimp.local.template.TemplateException;

import java.io.IOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * EventBridge rules of the template: PutEvents-style entries are wrapped in the EventBridge envelope and
 * delivered (synchronously, so tests see the effect when the call returns) to every function whose
 * {@code EventBridgeRule} pattern matches. Patterns: exact values, {@code prefix}, {@code suffix},
 * {@code anything-but}, {@code exists}, {@code equals-ignore-case}, {@code numeric}, nested objects. Every event put
 * is also kept (the last {@value #KEPT}), so tests see what the functions told the platform ({@code GET /_local/events}).
 */
final class EventRouter {

    static final int KEPT = 10_000;

    private final Map<String, FunctionHost> functions;
    private final Deque<ObjectNode> published = new ArrayDeque<>();
    private final List<LocalTemplate.EventRule> rules = new ArrayList<>();

    EventRouter(Map<String, FunctionHost> functions) {
        this.functions = functions;
        for (FunctionHost f : functions.values()) {
            for (LocalTemplate.EventRule r : f.spec().rules()) {
                validate(r.pattern(), "Events." + r.eventName() + ".Pattern of " + r.functionId());
                rules.add(r);
            }
        }
    }

    private static void validate(JsonNode pattern, String where) {
        for (Iterator<Map.Entry<String, JsonNode>> it = pattern.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            if (v.isObject()) {
                validate(v, where + "." + e.getKey());
            } else if (v.isArray()) {
                for (JsonNode c : v) {
                    if (c.isObject()) {
                        String op = c.fieldNames().hasNext() ? c.fieldNames().next() : "";
                        if (!List.of("prefix", "suffix", "anything-but", "exists", "equals-ignore-case", "numeric").contains(op)) {
                            throw new TemplateException(where + "." + e.getKey() + ": content filter " + op + " is not supported locally");
                        }
                    }
                }
            } else {
                throw new TemplateException(where + "." + e.getKey() + ": a pattern value must be a list or an object");
            }
        }
    }

    /** Handles a PutEvents request's {@code Entries}; answers {@code {"FailedEntryCount","Entries":[{"EventId"}]}}. */
    JsonNode putEvents(JsonNode entries) {
        ObjectNode answer = Http.JSON.createObjectNode();
        ArrayNode results = answer.putArray("Entries");
        int failed = 0;
        for (JsonNode entry : entries) {
            ObjectNode event = envelope(entry);
            if (event == null) {
                failed++;
                results.addObject().put("ErrorCode", "MalformedDetail").put("ErrorMessage", "Detail is malformed.");
                continue;
            }
            results.addObject().put("EventId", event.get("id").asText());
            String bus = busName(entry.path("EventBusName").asText("default"));
            keep(event.deepCopy().put("eventBusName", bus));
            for (LocalTemplate.EventRule rule : rules) {
                if (busName(rule.eventBusName()).equals(bus) && matches(rule.pattern(), event)) {
                    FunctionHost fn = functions.get(rule.functionId());
                    FunctionHost.Result r = fn.invoke(rule.input() != null ? rule.input() : event.toString());
                    System.out.println("[events] " + event.path("detail-type").asText() + " -> " + rule.functionId()
                            + (r.failed() ? " failed: " + r.errorType() + ": " + Http.oneLine(r.errorMessage()) : " ok"));
                }
            }
        }
        answer.put("FailedEntryCount", failed);
        return answer;
    }

    private synchronized void keep(ObjectNode event) {
        published.addLast(event);
        if (published.size() > KEPT) {
            published.removeFirst();
        }
    }

    /** The events put so far (the last {@value #KEPT}), oldest first, each with the bus it was put on. */
    synchronized ArrayNode published() {
        ArrayNode out = Http.JSON.createArrayNode();
        published.forEach(out::add);
        return out;
    }

    private static String busName(String nameOrArn) {
        int i = nameOrArn.indexOf("event-bus/");
        return i >= 0 ? nameOrArn.substring(i + "event-bus/".length()) : nameOrArn;
    }

    private static ObjectNode envelope(JsonNode entry) {
        JsonNode detail;
        try {
            String d = entry.path("Detail").asText("{}");
            detail = Http.JSON.readTree(d.isBlank() ? "{}" : d);
        } catch (IOException e) {
            return null;
        }
        if (detail == null || !detail.isObject()) {
            return null;
        }
        ObjectNode e = Http.JSON.createObjectNode();
        e.put("version", "0");
        e.put("id", UUID.randomUUID().toString());
        e.put("detail-type", entry.path("DetailType").asText(""));
        e.put("source", entry.path("Source").asText(""));
        e.put("account", "000000000000");
        JsonNode time = entry.get("Time");
        Instant t = Instant.now();
        if (time != null && time.isNumber()) {
            t = Instant.ofEpochMilli((long) (time.asDouble() * 1000));
        } else if (time != null && time.isTextual()) {
            t = Instant.parse(time.asText());
        }
        e.put("time", t.truncatedTo(ChronoUnit.SECONDS).toString());
        e.put("region", "us-east-1");
        ArrayNode resources = e.putArray("resources");
        for (JsonNode r : entry.path("Resources")) {
            resources.add(r.asText());
        }
        e.set("detail", detail);
        return e;
    }

    /** Whether an event matches an EventBridge pattern. */
    static boolean matches(JsonNode pattern, JsonNode event) {
        for (Iterator<Map.Entry<String, JsonNode>> it = pattern.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> p = it.next();
            JsonNode value = event == null ? null : event.get(p.getKey());
            if (p.getValue().isObject()) {
                if (value == null || !value.isObject() || !matches(p.getValue(), value)) {
                    return false;
                }
            } else if (!matchesAny(p.getValue(), value)) {
                return false;
            }
        }
        return true;
    }

    private static boolean matchesAny(JsonNode alternatives, JsonNode value) {
        for (JsonNode alt : alternatives) {
            if (alt.isObject() && alt.has("exists")) {
                boolean present = value != null && !value.isNull();
                if (present == alt.get("exists").asBoolean()) {
                    return true;
                }
                continue;
            }
            if (value == null) {
                continue;
            }
            if (value.isArray()) {
                for (JsonNode v : value) {
                    if (matchesOne(alt, v)) {
                        return true;
                    }
                }
            } else if (matchesOne(alt, value)) {
                return true;
            }
        }
        return false;
    }

    private static boolean matchesOne(JsonNode alt, JsonNode v) {
        if (!alt.isObject()) {
            if (alt.isNull()) {
                return v.isNull();
            }
            if (alt.isNumber() && v.isNumber()) {
                return alt.asDouble() == v.asDouble();
            }
            return alt.isNumber() == v.isNumber() && alt.asText().equals(v.asText()) && !v.isContainerNode();
        }
        Map.Entry<String, JsonNode> f = alt.fields().next();
        JsonNode arg = f.getValue();
        String text = v.isValueNode() ? v.asText() : null;
        switch (f.getKey()) {
            case "prefix":
                return text != null && v.isTextual() && text.startsWith(arg.asText());
            case "suffix":
                return text != null && v.isTextual() && text.endsWith(arg.asText());
            case "equals-ignore-case":
                return text != null && v.isTextual() && text.equalsIgnoreCase(arg.asText());
            case "anything-but": {
                if (arg.isObject()) {
                    return arg.has("prefix") ? text != null && !text.startsWith(arg.get("prefix").asText()) : true;
                }
                ArrayNode excluded = arg.isArray() ? (ArrayNode) arg : Http.JSON.createArrayNode().add(arg);
                for (JsonNode x : excluded) {
                    if (matchesOne(x, v)) {
                        return false;
                    }
                }
                return true;
            }
            case "numeric": {
                if (!v.isNumber()) {
                    return false;
                }
                double n = v.asDouble();
                for (int i = 0; i + 1 < arg.size(); i += 2) {
                    String op = arg.get(i).asText();
                    double x = arg.get(i + 1).asDouble();
                    boolean ok = switch (op) {
                        case "<" -> n < x;
                        case "<=" -> n <= x;
                        case ">" -> n > x;
                        case ">=" -> n >= x;
                        case "=" -> n == x;
                        default -> false;
                    };
                    if (!ok) {
                        return false;
                    }
                }
                return true;
            }
            default:
                return false;
        }
    }

}
