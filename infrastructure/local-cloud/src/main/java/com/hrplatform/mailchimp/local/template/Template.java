package com.hrplatform.mailchimp.local.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A SAM template as written (long-form intrinsics only), before any intrinsic is resolved:
 * parameters with their values (defaults, overridable), conditions, {@code Globals} and resources.
 */
public final class Template {

    /** One entry of {@code Resources}. {@code properties} is the raw, unresolved node. */
    public record Resource(String logicalId, String type, ObjectNode properties, String condition) {
    }

    private final Path path;
    private final Map<String, String> parameterValues;
    private final ObjectNode conditions;
    private final ObjectNode globals;
    private final Map<String, Resource> resources;

    private Template(Path path, Map<String, String> parameterValues, ObjectNode conditions, ObjectNode globals,
                     Map<String, Resource> resources) {
        this.path = path;
        this.parameterValues = parameterValues;
        this.conditions = conditions;
        this.globals = globals;
        this.resources = resources;
    }

    public static Template load(Path path) {
        return load(path, Map.of());
    }

    /** Reads the template; {@code parameterOverrides} replace parameter defaults. */
    public static Template load(Path path, Map<String, String> parameterOverrides) {
        String text;
        try {
            text = Files.readString(path);
        } catch (IOException e) {
            throw new TemplateException("Cannot read template " + path + ": " + e.getMessage(), e);
        }
        return parse(path, text, parameterOverrides);
    }

    public static Template parse(Path path, String yaml, Map<String, String> parameterOverrides) {
        if (yaml.contains("!Ref") || yaml.contains("!GetAtt") || yaml.contains("!Sub") || yaml.contains("!If")) {
            // Short-form tags would be read as plain strings by a YAML parser: refuse instead of misreading.
            throw new TemplateException(path + ": short-form intrinsic tags (!Ref, !GetAtt, ...) are not supported; use the long form");
        }
        JsonNode root;
        try {
            root = new YAMLMapper().readTree(yaml);
        } catch (IOException e) {
            throw new TemplateException(path + ": not valid YAML: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new TemplateException(path + ": the template is not a YAML mapping");
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        JsonNode params = root.path("Parameters");
        for (Iterator<Map.Entry<String, JsonNode>> it = params.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> p = it.next();
            JsonNode def = p.getValue().get("Default");
            if (def != null && !def.isNull()) {
                parameters.put(p.getKey(), def.isArray() ? joinList((ArrayNode) def) : def.asText());
            } else {
                parameters.put(p.getKey(), null);
            }
        }
        for (Map.Entry<String, String> o : parameterOverrides.entrySet()) {
            if (!parameters.containsKey(o.getKey())) {
                throw new TemplateException(path + ": parameter override " + o.getKey() + " is not a template parameter");
            }
            parameters.put(o.getKey(), o.getValue());
        }
        Map<String, Resource> resources = new LinkedHashMap<>();
        JsonNode res = root.path("Resources");
        if (!res.isObject() || res.isEmpty()) {
            throw new TemplateException(path + ": no Resources");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = res.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> r = it.next();
            JsonNode type = r.getValue().get("Type");
            if (type == null || !type.isTextual()) {
                throw new TemplateException(path + ": resource " + r.getKey() + " has no Type");
            }
            JsonNode props = r.getValue().get("Properties");
            ObjectNode properties = props instanceof ObjectNode o ? o : JsonNodeFactory.instance.objectNode();
            JsonNode cond = r.getValue().get("Condition");
            resources.put(r.getKey(), new Resource(r.getKey(), type.asText(), properties,
                    cond == null ? null : cond.asText()));
        }
        ObjectNode conditions = root.get("Conditions") instanceof ObjectNode c ? c : JsonNodeFactory.instance.objectNode();
        ObjectNode globals = root.get("Globals") instanceof ObjectNode g ? g : JsonNodeFactory.instance.objectNode();
        return new Template(path, parameters, conditions, globals, resources);
    }

    private static String joinList(ArrayNode list) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode n : list) {
            if (!sb.isEmpty()) {
                sb.append(',');
            }
            sb.append(n.asText());
        }
        return sb.toString();
    }

    public Path path() {
        return path;
    }

    /** Parameter values (default or override); a value is null when the parameter has neither. */
    public Map<String, String> parameterValues() {
        return Collections.unmodifiableMap(parameterValues);
    }

    public ObjectNode conditions() {
        return conditions;
    }

    public ObjectNode globals() {
        return globals;
    }

    public Map<String, Resource> resources() {
        return Collections.unmodifiableMap(resources);
    }
}
