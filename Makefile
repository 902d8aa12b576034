# Build targets for `sam build` (template.yaml: CodeUri ".", Metadata BuildMethod makefile).
#
# SAM runs `make build-<LogicalId>` once per function with ARTIFACTS_DIR set. samconfig.toml turns on
# build_in_source, so every target runs in this checkout and shares one jar: Maven runs only when a
# source is newer than the jar, i.e. once per `sam build`.
#
#   sam build && sam deploy --guided

JAR       := functions/target/mailchimp-functions-1.0.0-SNAPSHOT-lambda.jar
SOURCES   := pom.xml shared/pom.xml functions/pom.xml $(shell find shared/src/main functions/src/main -type f)
FUNCTIONS := $(shell sed -n 's/^  \([A-Za-z]*Function\):$$/\1/p' template.yaml)

$(JAR): $(SOURCES)
	./mvnw -q -DskipTests -pl functions -am package

$(addprefix build-,$(FUNCTIONS)): build-%: $(JAR)
	@test -n "$(ARTIFACTS_DIR)" || { echo "ARTIFACTS_DIR is not set: run this through sam build" >&2; exit 1; }
	mkdir -p "$(ARTIFACTS_DIR)/lib"
	cp "$(JAR)" "$(ARTIFACTS_DIR)/lib/"

.PHONY: $(addprefix build-,$(FUNCTIONS))
