package com.hrplatform.mailchimp.local;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code cfn-lint template.yaml} prints nothing: no error, no warning, no informational finding. cfn-lint is a
 * Python tool installed beside the build ({@code pip install cfn-lint}); where it is missing the check says so
 * and is skipped, except in CI (environment variable {@code CI} set), where a missing linter fails the build.
 */
class TemplateChecksCfnLintTest {

    private static TemplateChecksTestGuard.Result cfnLint(Path template) throws IOException, InterruptedException {
        try {
            return TemplateChecksTestGuard.run(List.of("cfn-lint", "--", template.toString()), TemplateChecksTestSupport.repoRoot());
        } catch (IOException notStarted) {
            String message = "cfn-lint is not installed (pip install cfn-lint): template.yaml was not linted ("
                    + notStarted.getMessage() + ")";
            String ci = System.getenv("CI");
            if (ci != null && !ci.isBlank()) {
                fail(message + "; CI is set, so this fails");
            }
            assumeTrue(false, message);
            throw notStarted;
        }
    }

    @Test
    void projectTemplate_hasNoCfnLintErrorOrWarning() throws Exception {
        Path template = TemplateChecksTestSupport.projectTemplate();
        TemplateChecksTestGuard.Result result = cfnLint(template);
        assertEquals("", result.output().strip(), () -> "cfn-lint " + template + ":\n" + result.output());
        assertEquals(0, result.exitCode(), result::output);
    }

    /** The check can fail: cfn-lint reports a property DynamoDB does not have, and exits non-zero. */
    @Test
    void failsOnABrokenTemplate(@TempDir Path dir) throws Exception {
        Path broken = dir.resolve("broken.yaml");
        Files.writeString(broken, """
                AWSTemplateFormatVersion: "2010-09-09"
                Resources:
                  Table:
                    Type: AWS::DynamoDB::Table
                    Properties:
                      BillingMode: PAY_PER_REQUEST
                      DeletionProtection: true
                      AttributeDefinitions:
                        - AttributeName: orgId
                          AttributeType: S
                      KeySchema:
                        - AttributeName: orgId
                          KeyType: HASH
                """);
        TemplateChecksTestGuard.Result result = cfnLint(broken);
        assertNotEquals(0, result.exitCode(), result::output);
        assertTrue(result.output().contains("DeletionProtection"), result::output);
    }
}
