package com.hrplatform.mailchimp.local.template;

/**
 * What {@code Ref} and {@code Fn::GetAtt} of a resource mean locally (names, URLs, ARNs of the
 * emulated resources). Pseudo parameters are resolved by {@link Intrinsics} itself.
 */
public interface ResourceAddresses {
    String region();

    String accountId();

    /** {@code Ref} of a resource of the given type; throws {@link TemplateException} if unsupported. */
    String ref(String logicalId, String type);

    /** {@code Fn::GetAtt} of a resource; throws {@link TemplateException} if unsupported. */
    String getAtt(String logicalId, String type, String attribute);
}
