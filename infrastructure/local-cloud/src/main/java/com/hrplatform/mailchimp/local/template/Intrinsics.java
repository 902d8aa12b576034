package com.hrplatform.mailchimp.local.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resolves CloudFormation intrinsics minimally: {@code Ref}, {@code Fn::GetAtt}, {@code Fn::Sub},
 * {@code Fn::If} (with {@code Fn::Equals/Not/And/Or} conditions), {@code Fn::Join}, {@code Fn::Select},
 * {@code Fn::Split}. Anything else fails with a {@link TemplateException} naming where it was found.
 */
public final class Intrinsics {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final Pattern SUB_VAR = Pattern.compile("\\$\\{([^}]*)}");

    private final Template template;
    private final ResourceAddresses addresses;
    private final Map<String, Boolean> conditionCache = new HashMap<>();
    private final Set<String> evaluating = new HashSet<>();

    public Intrinsics(Template template, ResourceAddresses addresses) {
        this.template = template;
        this.addresses = addresses;
    }

    /** Resolves every intrinsic under {@code node}; returns null when the whole node is {@code AWS::NoValue}. */
    public JsonNode resolve(JsonNode node, String where) {
        if (node == null || node.isNull() || node.isValueNode()) {
            return node;
        }
        if (node.isArray()) {
            ArrayNode out = F.arrayNode();
            int i = 0;
            for (JsonNode item : node) {
                JsonNode r = resolve(item, where + "[" + i++ + "]");
                if (r != null) {
                    out.add(r);
                }
            }
            return out;
        }
        if (node.size() == 1) {
            Map.Entry<String, JsonNode> only = node.fields().next();
            String key = only.getKey();
            if (key.equals("Ref") || key.startsWith("Fn::")) {
                return intrinsic(key, only.getValue(), where);
            }
        }
        ObjectNode out = F.objectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode r = resolve(e.getValue(), where + "." + e.getKey());
            if (r != null) {
                out.set(e.getKey(), r);
            }
        }
        return out;
    }

    /** Resolves a node that must end up as a string (numbers and booleans are written as text). */
    public String resolveString(JsonNode node, String where) {
        JsonNode r = resolve(node, where);
        if (r == null || r.isNull()) {
            return null;
        }
        if (!r.isValueNode()) {
            throw new TemplateException(where + ": expected a string, got " + r);
        }
        return r.asText();
    }

    private JsonNode intrinsic(String fn, JsonNode arg, String where) {
        switch (fn) {
            case "Ref":
                return ref(textArg(arg, fn, where), where);
            case "Fn::GetAtt":
                return getAtt(arg, where);
            case "Fn::Sub":
                return sub(arg, where);
            case "Fn::If":
                return fnIf(arg, where);
            case "Fn::Join":
                return join(arg, where);
            case "Fn::Select":
                return select(arg, where);
            case "Fn::Split":
                return split(arg, where);
            default:
                throw new TemplateException(where + ": intrinsic " + fn + " is not supported by the local runner");
        }
    }

    private static String textArg(JsonNode arg, String fn, String where) {
        if (!arg.isTextual()) {
            throw new TemplateException(where + ": " + fn + " expects a string, got " + arg);
        }
        return arg.asText();
    }

    private JsonNode ref(String name, String where) {
        switch (name) {
            case "AWS::Region":
                return TextNode.valueOf(addresses.region());
            case "AWS::AccountId":
                return TextNode.valueOf(addresses.accountId());
            case "AWS::Partition":
                return TextNode.valueOf("aws");
            case "AWS::URLSuffix":
                return TextNode.valueOf("amazonaws.com");
            case "AWS::StackName":
                return TextNode.valueOf("local");
            case "AWS::StackId":
                return TextNode.valueOf("arn:aws:cloudformation:" + addresses.region() + ":" + addresses.accountId()
                        + ":stack/local/00000000-0000-0000-0000-000000000000");
            case "AWS::NoValue":
                return null;
            default:
                break;
        }
        if (template.parameterValues().containsKey(name)) {
            String value = template.parameterValues().get(name);
            if (value == null) {
                throw new TemplateException(where + ": parameter " + name + " has no default and no override");
            }
            return TextNode.valueOf(value);
        }
        Template.Resource resource = template.resources().get(name);
        if (resource == null) {
            throw new TemplateException(where + ": Ref to unknown name " + name);
        }
        return TextNode.valueOf(addresses.ref(name, resource.type()));
    }

    private JsonNode getAtt(JsonNode arg, String where) {
        String logicalId;
        String attribute;
        if (arg.isTextual() && arg.asText().contains(".")) {
            int dot = arg.asText().indexOf('.');
            logicalId = arg.asText().substring(0, dot);
            attribute = arg.asText().substring(dot + 1);
        } else if (arg.isArray() && arg.size() == 2 && arg.get(0).isTextual()) {
            logicalId = arg.get(0).asText();
            JsonNode attr = resolve(arg.get(1), where);
            attribute = attr == null ? null : attr.asText();
        } else {
            throw new TemplateException(where + ": Fn::GetAtt expects [LogicalId, Attribute], got " + arg);
        }
        return TextNode.valueOf(getAtt(logicalId, attribute, where));
    }

    private String getAtt(String logicalId, String attribute, String where) {
        Template.Resource resource = template.resources().get(logicalId);
        if (resource == null) {
            throw new TemplateException(where + ": Fn::GetAtt of unknown resource " + logicalId);
        }
        return addresses.getAtt(logicalId, resource.type(), attribute);
    }

    private JsonNode sub(JsonNode arg, String where) {
        String text;
        Map<String, String> vars = new HashMap<>();
        if (arg.isTextual()) {
            text = arg.asText();
        } else if (arg.isArray() && arg.size() == 2 && arg.get(0).isTextual() && arg.get(1).isObject()) {
            text = arg.get(0).asText();
            for (Iterator<Map.Entry<String, JsonNode>> it = arg.get(1).fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                vars.put(e.getKey(), resolveString(e.getValue(), where + ".Fn::Sub." + e.getKey()));
            }
        } else {
            throw new TemplateException(where + ": Fn::Sub expects a string or [string, {vars}], got " + arg);
        }
        Matcher m = SUB_VAR.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            String replacement;
            if (name.startsWith("!")) {
                replacement = "${" + name.substring(1) + "}";
            } else if (vars.containsKey(name)) {
                replacement = vars.get(name);
            } else if (name.contains(".") && !name.startsWith("AWS::")) {
                int dot = name.indexOf('.');
                replacement = getAtt(name.substring(0, dot), name.substring(dot + 1), where);
            } else {
                JsonNode r = ref(name, where);
                if (r == null) {
                    throw new TemplateException(where + ": Fn::Sub cannot substitute " + name);
                }
                replacement = r.asText();
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return TextNode.valueOf(out.toString());
    }

    private JsonNode fnIf(JsonNode arg, String where) {
        if (!arg.isArray() || arg.size() != 3 || !arg.get(0).isTextual()) {
            throw new TemplateException(where + ": Fn::If expects [Condition, ifTrue, ifFalse], got " + arg);
        }
        boolean cond = condition(arg.get(0).asText(), where);
        return resolve(arg.get(cond ? 1 : 2), where);
    }

    private JsonNode join(JsonNode arg, String where) {
        if (!arg.isArray() || arg.size() != 2 || !arg.get(0).isTextual()) {
            throw new TemplateException(where + ": Fn::Join expects [delimiter, [values]], got " + arg);
        }
        JsonNode list = resolve(arg.get(1), where);
        if (list == null || !list.isArray()) {
            throw new TemplateException(where + ": Fn::Join expects a list of values");
        }
        StringBuilder sb = new StringBuilder();
        for (JsonNode n : list) {
            if (!sb.isEmpty()) {
                sb.append(arg.get(0).asText());
            }
            sb.append(n.asText());
        }
        return TextNode.valueOf(sb.toString());
    }

    private JsonNode select(JsonNode arg, String where) {
        if (!arg.isArray() || arg.size() != 2) {
            throw new TemplateException(where + ": Fn::Select expects [index, [values]], got " + arg);
        }
        int index = Integer.parseInt(resolveString(arg.get(0), where));
        JsonNode list = resolve(arg.get(1), where);
        if (list == null || !list.isArray() || index < 0 || index >= list.size()) {
            throw new TemplateException(where + ": Fn::Select index " + index + " out of range");
        }
        return list.get(index);
    }

    private JsonNode split(JsonNode arg, String where) {
        if (!arg.isArray() || arg.size() != 2 || !arg.get(0).isTextual()) {
            throw new TemplateException(where + ": Fn::Split expects [delimiter, string], got " + arg);
        }
        String s = resolveString(arg.get(1), where);
        ArrayNode out = F.arrayNode();
        for (String part : s.split(Pattern.quote(arg.get(0).asText()), -1)) {
            out.add(part);
        }
        return out;
    }

    /** Evaluates a named condition of the template's {@code Conditions} section. */
    public boolean condition(String name, String where) {
        Boolean cached = conditionCache.get(name);
        if (cached != null) {
            return cached;
        }
        JsonNode def = template.conditions().get(name);
        if (def == null) {
            throw new TemplateException(where + ": unknown condition " + name);
        }
        if (!evaluating.add(name)) {
            throw new TemplateException(where + ": condition " + name + " refers to itself");
        }
        try {
            boolean value = evalCondition(def, "Conditions." + name);
            conditionCache.put(name, value);
            return value;
        } finally {
            evaluating.remove(name);
        }
    }

    private boolean evalCondition(JsonNode node, String where) {
        if (node == null || !node.isObject() || node.size() != 1) {
            throw new TemplateException(where + ": not a condition function: " + node);
        }
        Map.Entry<String, JsonNode> e = node.fields().next();
        JsonNode arg = e.getValue();
        switch (e.getKey()) {
            case "Condition":
                return condition(textArg(arg, "Condition", where), where);
            case "Fn::Equals": {
                if (!arg.isArray() || arg.size() != 2) {
                    throw new TemplateException(where + ": Fn::Equals expects two values");
                }
                return String.valueOf(resolveString(arg.get(0), where)).equals(String.valueOf(resolveString(arg.get(1), where)));
            }
            case "Fn::Not":
                if (!arg.isArray() || arg.size() != 1) {
                    throw new TemplateException(where + ": Fn::Not expects one condition");
                }
                return !evalCondition(arg.get(0), where);
            case "Fn::And": {
                boolean all = true;
                for (JsonNode c : arg) {
                    all &= evalCondition(c, where);
                }
                return all;
            }
            case "Fn::Or": {
                boolean any = false;
                for (JsonNode c : arg) {
                    any |= evalCondition(c, where);
                }
                return any;
            }
            default:
                throw new TemplateException(where + ": condition function " + e.getKey() + " is not supported");
        }
    }
}
