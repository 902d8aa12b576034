package com.hrplatform.mailchimp.functions;

import com.hrplatform.mailchimp.api.Input;
import com.hrplatform.mailchimp.api.PageRequest;
import com.hrplatform.mailchimp.api.Role;
import com.hrplatform.mailchimp.api.TrpcHandler;
import com.hrplatform.mailchimp.api.TrpcRouter;
import com.hrplatform.mailchimp.audit.AuditLog;
import com.hrplatform.mailchimp.config.Services;

/** {@code mailchimp.audit.list}: the org's audit trail, newest first. */
public class AuditApiHandler extends TrpcHandler {

    public AuditApiHandler() {
        this(Services.auditLog());
    }

    public AuditApiHandler(AuditLog audit) {
        super(routes(audit), "mailchimp.audit.list");
    }

    static TrpcRouter routes(AuditLog audit) {
        return new TrpcRouter()
                .query("mailchimp.audit.list", Role.MEMBER, (identity, input) -> {
                    Input reader = Input.optional(input);
                    PageRequest page = reader.page();
                    reader.validate();
                    return audit.list(identity.orgId(), page);
                });
    }
}
