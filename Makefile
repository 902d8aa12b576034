# Build targets for `sam build` (template.yaml: CodeUri ".", Metadata BuildMethod makefile).
#
# SAM runs `make build-<LogicalId>` once per function with ARTIFACTS_DIR set, in a copy of the
# sources (or in the sources with `sam build --build-in-source`). Every function runs from the same
# shaded jar, so the Maven build runs once per `sam build`: the first target builds the jar and
# leaves it in a directory keyed on the sam process; the other targets wait for it and copy it.
# Outside sam (no sam parent process) every invocation builds the jar itself.
#
#   sam build && sam deploy --guided

JAR_NAME   := mailchimp-functions-1.0.0-SNAPSHOT-lambda.jar
JAR        := functions/target/$(JAR_NAME)
MVN_BUILD  := ./mvnw -q -DskipTests -pl functions -am package
FUNCTIONS  := ConnectionFunction AuditFunction TrpcFallbackFunction

# The process that started make: the sam CLI when sam builds.
PARENT_PID  := $(strip $(shell ps -o ppid= -p $$PPID 2>/dev/null))
PARENT_ARGS := $(if $(PARENT_PID),$(shell ps -o args= -p $(PARENT_PID) 2>/dev/null))
UNDER_SAM   := $(and $(filter sam %/sam,$(wordlist 1,2,$(PARENT_ARGS))),$(filter build,$(PARENT_ARGS)))
SHARED_DIR  := $(if $(UNDER_SAM),$(or $(TMPDIR),/tmp)/mailchimp-sam-build-$(PARENT_PID))

.PHONY: $(addprefix build-,$(FUNCTIONS)) lambda-jar check-artifacts-dir

$(addprefix build-,$(FUNCTIONS)): build-%: check-artifacts-dir lambda-jar
	mkdir -p "$(ARTIFACTS_DIR)/lib"
	cp "$(if $(SHARED_DIR),$(SHARED_DIR)/$(JAR_NAME),$(JAR))" "$(ARTIFACTS_DIR)/lib/"

check-artifacts-dir:
	@test -n "$(ARTIFACTS_DIR)" || { echo "ARTIFACTS_DIR is not set (run through sam build, or pass ARTIFACTS_DIR=...)" >&2; exit 1; }

ifeq ($(SHARED_DIR),)
lambda-jar:
	$(MVN_BUILD)
	test -f "$(JAR)"
else
# mkdir is atomic: the target that creates $(SHARED_DIR) builds, the others (sam build --parallel) wait.
lambda-jar:
	@for d in $(or $(TMPDIR),/tmp)/mailchimp-sam-build-*; do \
	  [ -d "$$d" ] || continue; pid=$${d##*-}; \
	  kill -0 "$$pid" 2>/dev/null || rm -rf "$$d"; \
	done
	@if mkdir "$(SHARED_DIR)" 2>/dev/null; then \
	  echo "Building $(JAR_NAME) once for this sam build"; \
	  if $(MVN_BUILD) && cp "$(JAR)" "$(SHARED_DIR)/$(JAR_NAME)"; then touch "$(SHARED_DIR)/done"; \
	  else touch "$(SHARED_DIR)/failed"; exit 1; fi; \
	else \
	  echo "Waiting for $(JAR_NAME) from another target of this sam build"; \
	  while [ ! -f "$(SHARED_DIR)/done" ]; do \
	    if [ -f "$(SHARED_DIR)/failed" ]; then echo "Maven build failed in another target" >&2; exit 1; fi; \
	    sleep 1; \
	  done; \
	fi
endif
