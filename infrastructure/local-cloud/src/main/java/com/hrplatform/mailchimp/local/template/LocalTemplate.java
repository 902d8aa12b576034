package com.hrplatform.mailchimp.local.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The part of template.yaml the local runner acts on, with intrinsics resolved: tables, queues,
 * KMS keys and functions with their events (HttpApi routes, SQS sources, schedules, EventBridge rules).
 */
public final class LocalTemplate {

    /** An {@code AWS::DynamoDB::Table}; {@code properties} are resolved CloudFormation properties. */
    public record Table(String logicalId, String name, JsonNode properties) {
    }

    /**
     * An {@code AWS::SQS::Queue}. {@code attributes} are SQS CreateQueue attributes (FifoQueue,
     * VisibilityTimeout, RedrivePolicy as JSON, ...); {@code deadLetterTargetArn} is null without redrive.
     */
    public record Queue(String logicalId, String name, boolean fifo, Map<String, String> attributes,
                        String deadLetterTargetArn) {
    }

    /** An {@code AWS::KMS::Key}, served by the local KMS under {@code keyId}. */
    public record Key(String logicalId, String keyId) {
    }

    /** An {@code AWS::KMS::Alias} ({@code alias/...}) of a key of the template. */
    public record Alias(String logicalId, String aliasName, String targetKeyId) {
    }

    /** An {@code HttpApi} event: {@code method} upper-case ("ANY" for any), {@code authorized} unless Auth.Authorizer is NONE. */
    public record HttpRoute(String functionId, String eventName, String method, String path, boolean authorized) {
        public String routeKey() {
            return method + " " + path;
        }
    }

    /**
     * An HttpApi's {@code CorsConfiguration}: API Gateway answers a preflight from it where no route matches
     * OPTIONS, and adds the allow-origin headers to every answer for an allowed origin.
     */
    public record Cors(List<String> allowOrigins, List<String> allowMethods, List<String> allowHeaders,
                       List<String> exposeHeaders, Integer maxAge, boolean allowCredentials) {
        /** Whether {@code origin} (the request's Origin header) is allowed; "*" allows every origin. */
        public boolean allows(String origin) {
            return origin != null && (allowOrigins.contains("*") || allowOrigins.contains(origin));
        }
    }

    public record SqsSource(String functionId, String eventName, String queueArn, int batchSize,
                            boolean reportBatchItemFailures, boolean enabled) {
    }

    /** A {@code ScheduleV2} or {@code Schedule} event; {@code input} is the configured Input JSON or null. */
    public record Schedule(String functionId, String eventName, String type, String expression, String input,
                           boolean enabled) {
    }

    public record EventRule(String functionId, String eventName, JsonNode pattern, String eventBusName, String input) {
    }

    public record Function(String logicalId, String handlerClass, String handlerMethod, int timeoutSeconds,
                           int memoryMb, Map<String, String> environment, List<HttpRoute> routes,
                           List<SqsSource> sqsSources, List<Schedule> schedules, List<EventRule> rules) {
    }

    private final List<Table> tables = new ArrayList<>();
    private final List<Queue> queues = new ArrayList<>();
    private final List<Key> keys = new ArrayList<>();
    private final List<Alias> aliases = new ArrayList<>();
    private final Map<String, Function> functions = new LinkedHashMap<>();
    private Cors cors;

    private LocalTemplate() {
    }

    public List<Table> tables() {
        return tables;
    }

    public List<Queue> queues() {
        return queues;
    }

    public List<Key> keys() {
        return keys;
    }

    public List<Alias> aliases() {
        return aliases;
    }

    public Map<String, Function> functions() {
        return functions;
    }

    /** The CORS settings of the template's HttpApi, or null when it has none (the runner serves one API). */
    public Cors cors() {
        return cors;
    }

    public static LocalTemplate resolve(Template template, ResourceAddresses addresses) {
        Intrinsics in = new Intrinsics(template, addresses);
        LocalTemplate out = new LocalTemplate();
        JsonNode globalFunction = template.globals().path("Function");
        for (Template.Resource r : template.resources().values()) {
            if (r.condition() != null && !in.condition(r.condition(), "Resources." + r.logicalId() + ".Condition")) {
                continue;
            }
            String where = "Resources." + r.logicalId() + ".Properties";
            switch (r.type()) {
                case "AWS::DynamoDB::Table":
                    out.tables.add(new Table(r.logicalId(), r.logicalId(), in.resolve(r.properties(), where)));
                    break;
                case "AWS::SQS::Queue":
                    out.queues.add(queue(r, (ObjectNode) in.resolve(r.properties(), where)));
                    break;
                case "AWS::KMS::Key":
                    out.keys.add(new Key(r.logicalId(), addresses.ref(r.logicalId(), r.type())));
                    break;
                case "AWS::KMS::Alias": {
                    JsonNode p = in.resolve(r.properties(), where);
                    out.aliases.add(new Alias(r.logicalId(), p.path("AliasName").asText(), p.path("TargetKeyId").asText()));
                    break;
                }
                case "AWS::Serverless::Function":
                    JsonNode merged = globalFunction.isObject()
                            ? merge((ObjectNode) globalFunction, r.properties()) : r.properties();
                    out.functions.put(r.logicalId(), function(r.logicalId(), merged, in, where));
                    break;
                case "AWS::Serverless::HttpApi": {
                    JsonNode raw = r.properties().get("CorsConfiguration");
                    JsonNode c = raw == null ? null : in.resolve(raw, where + ".CorsConfiguration");
                    if (c != null && c.isObject()) {
                        if (out.cors != null) {
                            throw new TemplateException(where + ".CorsConfiguration: the local runner serves one HttpApi with CORS");
                        }
                        out.cors = new Cors(strings(c.get("AllowOrigins")), strings(c.get("AllowMethods")),
                                strings(c.get("AllowHeaders")), strings(c.get("ExposeHeaders")),
                                c.has("MaxAge") ? c.get("MaxAge").asInt() : null, c.path("AllowCredentials").asBoolean(false));
                    }
                    break;
                }
                case "AWS::Lambda::Function":
                    throw new TemplateException(where + ": plain AWS::Lambda::Function is not supported locally; use AWS::Serverless::Function");
                default:
                    break; // IAM, log groups, alarms, the HttpApi itself...: nothing to emulate
            }
        }
        return out;
    }

    /** SAM's Globals merge: maps merge recursively, the function's scalars win, lists are appended. */
    static JsonNode merge(ObjectNode global, JsonNode local) {
        ObjectNode out = global.deepCopy();
        for (Iterator<Map.Entry<String, JsonNode>> it = local.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode g = out.get(e.getKey());
            if (g instanceof ObjectNode go && e.getValue().isObject() && !isIntrinsic(e.getValue()) && !isIntrinsic(go)) {
                out.set(e.getKey(), merge(go, e.getValue()));
            } else if (g instanceof ArrayNode ga && e.getValue().isArray()) {
                ArrayNode list = ga.deepCopy();
                list.addAll((ArrayNode) e.getValue());
                out.set(e.getKey(), list);
            } else {
                out.set(e.getKey(), e.getValue());
            }
        }
        return out;
    }

    private static boolean isIntrinsic(JsonNode n) {
        if (n.size() != 1) {
            return false;
        }
        String k = n.fieldNames().next();
        return k.equals("Ref") || k.startsWith("Fn::");
    }

    private static Queue queue(Template.Resource r, ObjectNode p) {
        boolean fifo = p.path("FifoQueue").asText("false").equalsIgnoreCase("true");
        String name = fifo ? r.logicalId() + ".fifo" : r.logicalId();
        Map<String, String> attributes = new LinkedHashMap<>();
        if (fifo) {
            attributes.put("FifoQueue", "true");
        }
        for (String a : List.of("ContentBasedDeduplication", "VisibilityTimeout", "MessageRetentionPeriod",
                "DelaySeconds", "ReceiveMessageWaitTimeSeconds", "MaximumMessageSize")) {
            if (p.has(a)) {
                attributes.put(a, p.get(a).asText());
            }
        }
        String dlq = null;
        JsonNode redrive = p.get("RedrivePolicy");
        if (redrive != null) {
            if (!redrive.isObject() || !redrive.has("deadLetterTargetArn") || !redrive.has("maxReceiveCount")) {
                throw new TemplateException("Resources." + r.logicalId() + ".Properties.RedrivePolicy needs deadLetterTargetArn and maxReceiveCount");
            }
            dlq = redrive.get("deadLetterTargetArn").asText();
            ObjectNode rp = JsonNodeFactory.instance.objectNode();
            rp.put("deadLetterTargetArn", dlq);
            rp.put("maxReceiveCount", redrive.get("maxReceiveCount").asInt());
            attributes.put("RedrivePolicy", rp.toString());
        }
        return new Queue(r.logicalId(), name, fifo, attributes, dlq);
    }

    private static Function function(String id, JsonNode raw, Intrinsics in, String where) {
        String runtime = in.resolveString(raw.get("Runtime"), where + ".Runtime");
        if (runtime != null && !runtime.startsWith("java")) {
            throw new TemplateException(where + ".Runtime: " + runtime + " cannot be hosted by the local (Java) runner");
        }
        String handler = in.resolveString(raw.get("Handler"), where + ".Handler");
        if (handler == null || handler.isBlank()) {
            throw new TemplateException(where + ".Handler is missing");
        }
        String cls = handler;
        String method = "handleRequest";
        int sep = handler.indexOf("::");
        if (sep >= 0) {
            cls = handler.substring(0, sep);
            method = handler.substring(sep + 2);
        }
        int timeout = intOr(in.resolveString(raw.get("Timeout"), where + ".Timeout"), 3);
        int memory = intOr(in.resolveString(raw.get("MemorySize"), where + ".MemorySize"), 128);
        Map<String, String> env = new LinkedHashMap<>();
        JsonNode vars = raw.path("Environment").path("Variables");
        for (Iterator<Map.Entry<String, JsonNode>> it = vars.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = in.resolve(e.getValue(), where + ".Environment.Variables." + e.getKey());
            if (v == null) {
                continue; // AWS::NoValue
            }
            if (!v.isValueNode()) {
                throw new TemplateException(where + ".Environment.Variables." + e.getKey() + " is not a string: " + v);
            }
            env.put(e.getKey(), v.isNull() ? "" : v.asText());
        }
        List<HttpRoute> routes = new ArrayList<>();
        List<SqsSource> sqs = new ArrayList<>();
        List<Schedule> schedules = new ArrayList<>();
        List<EventRule> rules = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = raw.path("Events").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String ew = where + ".Events." + e.getKey();
            String type = e.getValue().path("Type").asText("");
            JsonNode props = e.getValue().get("Properties");
            JsonNode p = props == null ? JsonNodeFactory.instance.objectNode() : in.resolve(props, ew + ".Properties");
            switch (type) {
                case "HttpApi": {
                    String path = p.path("Path").asText(null);
                    if (path == null) {
                        throw new TemplateException(ew + ": HttpApi event without Path (the $default route is not supported locally)");
                    }
                    String m = p.path("Method").asText("ANY").toUpperCase(Locale.ROOT);
                    if (m.equals("X-AMAZON-APIGATEWAY-ANY-METHOD") || m.equals("*")) {
                        m = "ANY";
                    }
                    boolean authorized = !"NONE".equals(p.path("Auth").path("Authorizer").asText(""));
                    routes.add(new HttpRoute(id, e.getKey(), m, path, authorized));
                    break;
                }
                case "SQS": {
                    String queue = p.path("Queue").asText(null);
                    if (queue == null) {
                        throw new TemplateException(ew + ": SQS event without Queue");
                    }
                    boolean report = false;
                    for (JsonNode t : p.path("FunctionResponseTypes")) {
                        report |= t.asText().equals("ReportBatchItemFailures");
                    }
                    sqs.add(new SqsSource(id, e.getKey(), queue, p.path("BatchSize").asInt(10), report,
                            p.path("Enabled").asBoolean(true)));
                    break;
                }
                case "ScheduleV2":
                case "Schedule": {
                    String expr = p.has("ScheduleExpression") ? p.get("ScheduleExpression").asText() : p.path("Schedule").asText(null);
                    if (expr == null) {
                        throw new TemplateException(ew + ": " + type + " event without ScheduleExpression");
                    }
                    boolean enabled = type.equals("ScheduleV2")
                            ? !"DISABLED".equalsIgnoreCase(p.path("State").asText("ENABLED"))
                            : p.path("Enabled").asBoolean(true) && !"DISABLED".equalsIgnoreCase(p.path("State").asText("ENABLED"));
                    ScheduleExpression.parse(expr); // fail now, not at the first firing
                    schedules.add(new Schedule(id, e.getKey(), type, expr, p.has("Input") ? p.get("Input").asText() : null, enabled));
                    break;
                }
                case "EventBridgeRule":
                case "CloudWatchEvent": {
                    JsonNode pattern = p.get("Pattern");
                    if (pattern == null || !pattern.isObject()) {
                        throw new TemplateException(ew + ": " + type + " event without Pattern");
                    }
                    rules.add(new EventRule(id, e.getKey(), pattern, p.path("EventBusName").asText("default"),
                            p.has("Input") ? p.get("Input").asText() : null));
                    break;
                }
                default:
                    throw new TemplateException(ew + ": event type " + type + " is not supported by the local runner");
            }
        }
        return new Function(id, cls, method, timeout, memory, env, routes, sqs, schedules, rules);
    }

    private static List<String> strings(JsonNode list) {
        List<String> out = new ArrayList<>();
        if (list != null) {
            list.forEach(v -> out.add(v.asText()));
        }
        return List.copyOf(out);
    }

    private static int intOr(String s, int fallback) {
        return s == null ? fallback : Integer.parseInt(s.trim());
    }
}
