package com.hrplatform.mailchimp.mailchimp;

import java.util.regex.Pattern;

/** The forms of Mailchimp's ids, checked before an id from a caller goes into a request path. */
public final class MailchimpIds {
    /** An audience (list) id: ten lowercase hex characters, as Mailchimp issues them. */
    public static final Pattern LIST_ID = Pattern.compile("^[0-9a-f]{10}$");
    public static final String LIST_ID_EXPECTATION = "must be a Mailchimp audience id (10 characters 0-9, a-f)";

    private MailchimpIds() {
    }
}
