package com.hrplatform.mailchimp.functions;

import com.hrplatform.mailchimp.api.Input;
import com.hrplatform.mailchimp.api.Role;
import com.hrplatform.mailchimp.api.TrpcHandler;
import com.hrplatform.mailchimp.api.TrpcRouter;
import com.hrplatform.mailchimp.config.Services;
import com.hrplatform.mailchimp.connection.ConnectionService;
import com.hrplatform.mailchimp.mailchimp.MailchimpApiKey;
import com.hrplatform.mailchimp.mailchimp.MailchimpIds;
import com.hrplatform.mailchimp.mapping.MappingService;
import com.hrplatform.mailchimp.mapping.MergeFieldMapping;

import java.util.Map;
import java.util.regex.Pattern;

/** {@code mailchimp.connection.*}: connect an org's Mailchimp account, read it, disconnect, list audiences. */
public class ConnectionApiHandler extends TrpcHandler {
    /** Mailchimp's marketing permission ids are short hex strings; anything else cannot be one. */
    static final Pattern MARKETING_PERMISSION_ID = Pattern.compile("^[A-Za-z0-9_-]{1,64}$");

    public ConnectionApiHandler() {
        this(Services.connectionService());
    }

    public ConnectionApiHandler(ConnectionService connections) {
        this(connections, Services.mappingService(connections));
    }

    public ConnectionApiHandler(ConnectionService connections, MappingService mappings) {
        super(mappingRoutes(routes(connections), mappings), "mailchimp.connection.get");
    }

    /** The connection's default merge field mapping, and the merge fields an audience has to map to. */
    static TrpcRouter mappingRoutes(TrpcRouter router, MappingService mappings) {
        return router
                .query("mailchimp.connection.getMapping", Role.MEMBER, (identity, input) -> {
                    Input.optional(input).validate();
                    return mappings.connectionMapping(identity);
                })
                .mutation("mailchimp.connection.setMapping", Role.ADMIN, (identity, input) -> {
                    Input reader = Input.of(input);
                    MergeFieldMapping mapping = SegmentsApiHandler.readMapping(reader);
                    reader.validate();
                    return mappings.setConnectionMapping(identity, mapping);
                })
                .query("mailchimp.connection.audienceMergeFields", Role.MEMBER, (identity, input) -> {
                    Input reader = Input.of(input);
                    String listId = reader.requiredMatching("listId", MailchimpIds.LIST_ID, MailchimpIds.LIST_ID_EXPECTATION);
                    reader.validate();
                    return mappings.audienceMergeFields(identity, listId);
                });
    }

    static TrpcRouter routes(ConnectionService connections) {
        return new TrpcRouter()
                .query("mailchimp.connection.get", Role.MEMBER, (identity, input) -> {
                    Input.optional(input).validate();
                    return connections.get(identity).orElse(null);
                })
                .mutation("mailchimp.connection.connect", Role.ADMIN, (identity, input) -> {
                    Input reader = Input.of(input);
                    String apiKey = reader.requiredMatching("apiKey", MailchimpApiKey.FORMAT,
                            "must look like 0123456789abcdef0123456789abcdef-us1 (32 hex characters, a dash, the data centre)");
                    reader.validate();
                    return connections.connect(identity, apiKey);
                })
                .mutation("mailchimp.connection.disconnect", Role.ADMIN, (identity, input) -> {
                    Input.optional(input).validate();
                    connections.disconnect(identity);
                    return Map.of("success", true);
                })
                .query("mailchimp.connection.listAudiences", Role.MEMBER, (identity, input) -> {
                    Input.optional(input).validate();
                    return connections.listAudiences(identity);
                })
                .query("mailchimp.connection.marketingPermissions", Role.ADMIN, (identity, input) -> {
                    Input reader = Input.of(input);
                    String listId = reader.requiredMatching("mailchimpListId", MailchimpIds.LIST_ID,
                            MailchimpIds.LIST_ID_EXPECTATION);
                    reader.validate();
                    return connections.marketingPermissions(identity, listId);
                })
                .mutation("mailchimp.connection.setEmailPermission", Role.ADMIN, (identity, input) -> {
                    Input reader = Input.of(input);
                    String listId = reader.requiredMatching("mailchimpListId", MailchimpIds.LIST_ID,
                            MailchimpIds.LIST_ID_EXPECTATION);
                    // Present and null clears the choice; absent is a mistake, not a silent clear.
                    String permissionId = reader.optionalMatching("marketingPermissionId", MARKETING_PERMISSION_ID,
                            "must be a Mailchimp marketing permission id").orElse(null);
                    if (input == null || !input.isObject() || !input.has("marketingPermissionId")) {
                        reader.problem("marketingPermissionId", "required (null clears the choice)");
                    }
                    reader.validate();
                    return connections.setEmailPermission(identity, listId, permissionId);
                });
    }
}
