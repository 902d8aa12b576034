package com.hrplatform.mailchimp.mailchimp;

import java.util.regex.Pattern;

/**
 * A Mailchimp Marketing API key ({@code <32 hex>-us<N>}); the suffix names the account's data centre.
 * {@link #toString()} never shows the key, so it cannot reach a log by accident.
 */
public final class MailchimpApiKey {
    public static final Pattern FORMAT = Pattern.compile("^[0-9a-f]{32}-us[0-9]{1,3}$");

    private final String value;

    private MailchimpApiKey(String value) {
        this.value = value;
    }

    /** @throws IllegalArgumentException when the text is not a well-formed key (the message holds no key) */
    public static MailchimpApiKey of(String text) {
        if (text == null || !FORMAT.matcher(text).matches()) {
            throw new IllegalArgumentException("Not a Mailchimp API key");
        }
        return new MailchimpApiKey(text);
    }

    public String value() {
        return value;
    }

    public String dataCenter() {
        return value.substring(value.indexOf('-') + 1);
    }

    /** What the dashboard may show: the last 4 characters before the data-centre suffix. */
    public String hint() {
        int dash = value.indexOf('-');
        return "…" + value.substring(dash - 4, dash) + "-" + dataCenter();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof MailchimpApiKey key && key.value.equals(value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    @Override
    public String toString() {
        return "MailchimpApiKey[" + hint() + "]";
    }
}
