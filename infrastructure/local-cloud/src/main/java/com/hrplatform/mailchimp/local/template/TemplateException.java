package com.hrplatform.mailchimp.local.template;

/** template.yaml uses something the local runner does not understand: failing loudly beats guessing. */
public class TemplateException extends RuntimeException {
    public TemplateException(String message) {
        super(message);
    }

    public TemplateException(String message, Throwable cause) {
        super(message, cause);
    }
}
