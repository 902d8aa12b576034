package com.hrplatform.mailchimp.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.hrplatform.mailchimp.api.TrpcHandler;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The checks of {@link TemplateChecksTest}, each a function of a template file that returns the problems
 * it finds (empty = fine), so that every check runs on template.yaml and on a broken fixture alike.
 * Reads the template with a plain YAML parser: template.yaml uses long-form intrinsics only.
 */
final class TemplateChecksTestSupport {
    static final String SERVERLESS_FUNCTION = "AWS::Serverless::Function";
    static final String TRPC_PREFIX = "/trpc/";

    private static final Set<String> PSEUDO_PARAMETERS = Set.of("AWS::AccountId", "AWS::NotificationARNs",
            "AWS::NoValue", "AWS::Partition", "AWS::Region", "AWS::StackId", "AWS::StackName", "AWS::URLSuffix");
    private static final Pattern SUB_VARIABLE = Pattern.compile("\\$\\{([^}]*)}");

    private TemplateChecksTestSupport() {
    }

    // ------------------------------------------------------------------ locating and reading

    /** The repository root: the first directory upwards from the working directory holding template.yaml and mvnw. */
    static Path repoRoot() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("template.yaml")) && Files.isRegularFile(d.resolve("mvnw"))) {
                return d;
            }
        }
        throw new IllegalStateException("No template.yaml + mvnw above " + dir);
    }

    /** template.yaml of the repository, or the file named by {@code -Dtemplate.checks.file=...} (to check another copy). */
    static Path projectTemplate() {
        String override = System.getProperty("template.checks.file");
        return override != null && !override.isBlank() ? Path.of(override).toAbsolutePath() : repoRoot().resolve("template.yaml");
    }

    /** A fixture under src/test/resources/template-checks/. */
    static Path fixture(String name) {
        URL url = TemplateChecksTestSupport.class.getResource("/template-checks/" + name);
        if (url == null) {
            throw new IllegalArgumentException("No test fixture template-checks/" + name);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonNode read(Path template) {
        try {
            JsonNode root = new YAMLMapper().readTree(Files.readString(template));
            if (root == null || !root.isObject()) {
                throw new IllegalArgumentException(template + " is not a YAML mapping");
            }
            return root;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Logical id -> resource node, for every resource of the given type. */
    static Map<String, JsonNode> resourcesOfType(JsonNode template, String type) {
        Map<String, JsonNode> found = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = template.path("Resources").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (type.equals(e.getValue().path("Type").asText())) {
                found.put(e.getKey(), e.getValue());
            }
        }
        return found;
    }

    /** A function's Handler, falling back to Globals.Function.Handler. */
    static String handler(JsonNode template, JsonNode function) {
        JsonNode own = function.path("Properties").path("Handler");
        return own.isTextual() ? own.asText() : template.path("Globals").path("Function").path("Handler").asText(null);
    }

    /** Globals.Function.Environment.Variables overlaid with the function's own, as SAM merges them. */
    static Map<String, JsonNode> environment(JsonNode template, JsonNode function) {
        Map<String, JsonNode> env = new LinkedHashMap<>();
        template.path("Globals").path("Function").path("Environment").path("Variables").fields()
                .forEachRemaining(e -> env.put(e.getKey(), e.getValue()));
        function.path("Properties").path("Environment").path("Variables").fields()
                .forEachRemaining(e -> env.put(e.getKey(), e.getValue()));
        return env;
    }

    /** The paths of the function's HttpApi events. */
    static List<String> httpApiPaths(JsonNode function) {
        List<String> paths = new ArrayList<>();
        function.path("Properties").path("Events").fields().forEachRemaining(e -> {
            if ("HttpApi".equals(e.getValue().path("Type").asText())) {
                paths.add(e.getValue().path("Properties").path("Path").asText());
            }
        });
        return paths;
    }

    // ------------------------------------------------------------------ (a) handlers exist

    /**
     * Every function's Handler names a class on the classpath (the part before {@code ::}) that Lambda can
     * instantiate (public, concrete, public no-arg constructor) and that has a public method of that name.
     */
    static List<String> handlerProblems(Path templatePath) {
        JsonNode template = read(templatePath);
        List<String> problems = new ArrayList<>();
        resourcesOfType(template, SERVERLESS_FUNCTION).forEach((id, function) -> {
            String handler = handler(template, function);
            if (handler == null || handler.isBlank()) {
                problems.add(id + ": no Handler");
                return;
            }
            int sep = handler.indexOf("::");
            String className = sep < 0 ? handler : handler.substring(0, sep);
            String methodName = sep < 0 ? "handleRequest" : handler.substring(sep + 2);
            Class<?> type;
            try {
                type = Class.forName(className, false, TemplateChecksTestSupport.class.getClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                problems.add(id + ": handler class " + className + " is not on the classpath");
                return;
            }
            if (!Modifier.isPublic(type.getModifiers()) || Modifier.isAbstract(type.getModifiers())) {
                problems.add(id + ": handler class " + className + " is not a public concrete class");
            }
            boolean hasMethod = Arrays.stream(type.getMethods()).anyMatch(m -> m.getName().equals(methodName)
                    && !m.isBridge() && m.getParameterCount() >= 1 && m.getParameterCount() <= 3);
            if (!hasMethod) {
                problems.add(id + ": handler class " + className + " has no public method " + methodName);
            }
            try {
                Constructor<?> constructor = type.getConstructor();
                if (!Modifier.isPublic(constructor.getModifiers())) {
                    problems.add(id + ": handler class " + className + " has no public no-arg constructor");
                }
            } catch (NoSuchMethodException e) {
                problems.add(id + ": handler class " + className + " has no public no-arg constructor");
            }
        });
        return problems;
    }

    // ------------------------------------------------------------------ (b) environment references resolve

    /**
     * Every Ref / Fn::GetAtt / Fn::Sub variable inside a function's environment (Globals and its own)
     * names a parameter, a resource or a pseudo parameter of the template.
     */
    static List<String> environmentReferenceProblems(Path templatePath) {
        JsonNode template = read(templatePath);
        Set<String> parameters = fieldNames(template.path("Parameters"));
        Set<String> resources = fieldNames(template.path("Resources"));
        List<String> problems = new ArrayList<>();
        template.path("Globals").path("Function").path("Environment").path("Variables").fields().forEachRemaining(e ->
                checkReferences("Globals.Function." + e.getKey(), e.getValue(), parameters, resources, Set.of(), problems));
        resourcesOfType(template, SERVERLESS_FUNCTION).forEach((id, function) ->
                function.path("Properties").path("Environment").path("Variables").fields().forEachRemaining(e ->
                        checkReferences(id + "." + e.getKey(), e.getValue(), parameters, resources, Set.of(), problems)));
        return problems;
    }

    private static void checkReferences(String where, JsonNode value, Set<String> parameters, Set<String> resources,
                                        Set<String> subLocals, List<String> problems) {
        if (value.isArray()) {
            value.forEach(v -> checkReferences(where, v, parameters, resources, subLocals, problems));
            return;
        }
        if (!value.isObject()) {
            return;
        }
        if (value.size() == 1 && value.has("Ref")) {
            String name = value.get("Ref").asText();
            if (!PSEUDO_PARAMETERS.contains(name) && !parameters.contains(name) && !resources.contains(name)) {
                problems.add(where + ": Ref " + name + " is neither a parameter nor a resource of the template");
            }
            return;
        }
        if (value.size() == 1 && value.has("Fn::GetAtt")) {
            JsonNode att = value.get("Fn::GetAtt");
            String name = att.isArray() ? att.path(0).asText() : att.asText().split("\\.", 2)[0];
            if (!resources.contains(name)) {
                problems.add(where + ": Fn::GetAtt " + name + " is not a resource of the template");
            }
            return;
        }
        if (value.size() == 1 && value.has("Fn::Sub")) {
            JsonNode sub = value.get("Fn::Sub");
            String text = sub.isArray() ? sub.path(0).asText() : sub.asText();
            Set<String> locals = new LinkedHashSet<>(subLocals);
            if (sub.isArray() && sub.path(1).isObject()) {
                locals.addAll(fieldNames(sub.path(1)));
                sub.path(1).forEach(v -> checkReferences(where, v, parameters, resources, subLocals, problems));
            }
            Matcher m = SUB_VARIABLE.matcher(text);
            while (m.find()) {
                String variable = m.group(1).trim();
                if (variable.startsWith("!")) {
                    continue; // ${!Literal} is not a reference
                }
                String name = variable.contains(".") && !variable.startsWith("AWS::")
                        ? variable.substring(0, variable.indexOf('.')) : variable;
                if (!locals.contains(name) && !PSEUDO_PARAMETERS.contains(name) && !parameters.contains(name)
                        && !resources.contains(name)) {
                    problems.add(where + ": Fn::Sub ${" + variable + "} names neither a parameter nor a resource of the template");
                }
            }
            return;
        }
        value.forEach(v -> checkReferences(where, v, parameters, resources, subLocals, problems));
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new LinkedHashSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    // ------------------------------------------------------------------ (c) routes <-> procedures

    /**
     * For every function whose handler is a {@link TrpcHandler}: each {@code /trpc/<procedure>} route of the
     * function is a procedure of the handler's router, and each procedure of the router has a route to this
     * function. Greedy routes ({@code /trpc/{proxy+}}) name no procedure. The handler is built with its
     * no-arg constructor, with {@code aws.region} and the function's environment set as system properties
     * (a resource Ref becomes its logical id, as locally; a parameter Ref its default).
     */
    static List<String> routeProblems(Path templatePath) {
        JsonNode template = read(templatePath);
        List<String> problems = new ArrayList<>();
        resourcesOfType(template, SERVERLESS_FUNCTION).forEach((id, function) -> {
            String handler = handler(template, function);
            String className = handler == null ? "" : handler.split("::", 2)[0];
            Set<String> procedures;
            try {
                procedures = procedurePaths(className, localEnvironment(template, function));
            } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
                problems.add(id + ": cannot build handler " + className + " with its no-arg constructor: " + e);
                return;
            }
            if (procedures == null) {
                return; // not a tRPC handler
            }
            Set<String> routed = new TreeSet<>();
            boolean greedy = false;
            for (String path : httpApiPaths(function)) {
                if (!path.startsWith(TRPC_PREFIX)) {
                    problems.add(id + ": route " + path + " of a tRPC handler is not under " + TRPC_PREFIX);
                    continue;
                }
                String procedure = path.substring(TRPC_PREFIX.length());
                if (procedure.contains("{")) {
                    greedy = true; // serves every procedure of its handler (the fallback's catalogue)
                    continue;
                }
                routed.add(procedure);
                if (!procedures.contains(procedure)) {
                    problems.add(id + ": route " + path + " has no procedure " + procedure + " in " + className
                            + " (it has " + new TreeSet<>(procedures) + ")");
                }
            }
            for (String procedure : new TreeSet<>(procedures)) {
                if (!routed.contains(procedure) && !greedy) {
                    problems.add(id + ": procedure " + procedure + " of " + className + " has no route "
                            + TRPC_PREFIX + procedure);
                }
            }
        });
        return problems;
    }

    /** The router's procedure paths, or null when the class is not a {@link TrpcHandler}. */
    private static Set<String> procedurePaths(String className, Map<String, String> systemProperties)
            throws ReflectiveOperationException {
        Class<?> type = Class.forName(className, false, TemplateChecksTestSupport.class.getClassLoader());
        if (!TrpcHandler.class.isAssignableFrom(type)) {
            return null;
        }
        // Handlers build the container's SDK clients once, JVM-wide: build them only with the shared local
        // cloud's endpoints in force, so later end-to-end tests in this JVM reach the same emulators.
        LocalCloudFixture.get();
        Map<String, String> previous = new HashMap<>();
        systemProperties.forEach((k, v) -> previous.put(k, System.setProperty(k, v)));
        try {
            Object handler = type.getConstructor().newInstance();
            return Set.copyOf(((TrpcHandler) handler).router().procedurePaths());
        } finally {
            previous.forEach((k, v) -> {
                if (v == null) {
                    System.clearProperty(k);
                } else {
                    System.setProperty(k, v);
                }
            });
        }
    }

    private static Map<String, String> localEnvironment(JsonNode template, JsonNode function) {
        Map<String, String> props = new LinkedHashMap<>();
        environment(template, function).forEach((name, value) -> props.put(name, localValue(template, value)));
        return props;
    }

    private static String localValue(JsonNode template, JsonNode value) {
        if (value.isValueNode()) {
            return value.asText();
        }
        if (value.has("Ref")) {
            String name = value.get("Ref").asText();
            JsonNode parameter = template.path("Parameters").path(name);
            if (parameter.isObject()) {
                return parameter.path("Default").asText("placeholder");
            }
            return name;
        }
        return "placeholder";
    }

    /** A mutable deep copy, for broken variants of a template built in code. */
    static ObjectNode copy(JsonNode template) {
        return (ObjectNode) template.deepCopy();
    }
}
