package com.hrplatform.mailchimp.mailchimp;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

class MailchimpApiKeyTest {
    private static final String KEY = "0123456789abcdef0123456789abcdef-us21";

    @Test
    void dataCentreAndHintComeFromTheKey() {
        MailchimpApiKey key = MailchimpApiKey.of(KEY);
        assertEquals("us21", key.dataCenter());
        assertEquals("…cdef-us21", key.hint());
    }

    @Test
    void toStringNeverShowsTheKey() {
        assertFalse(MailchimpApiKey.of(KEY).toString().contains("0123456789abcdef0123"));
    }

    @Test
    void malformedKeysAreRefusedWithoutEchoingThem() {
        for (String bad : new String[]{null, "", "0123456789abcdef0123456789abcdef", "0123456789ABCDEF0123456789abcdef-us1",
                "0123456789abcdef0123456789abcdef-eu1", "0123456789abcdef0123456789abcde-us1", "0123456789abcdef0123456789abcdef-us1234"}) {
            var e = assertThrows(IllegalArgumentException.class, () -> MailchimpApiKey.of(bad));
            assertEquals("Not a Mailchimp API key", e.getMessage());
        }
    }
}
