package com.hrplatform.mailchimp.sandbox;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** An error answered as application/problem+json, shaped like Mailchimp's ProblemDetailDocument. */
final class ApiError extends RuntimeException {
  static final String TYPE = "https://mailchimp.com/developer/marketing/docs/errors/";
  static final String VALIDATION_DETAIL =
      "The resource submitted could not be validated. For field-specific details, see the 'errors' array.";

  final int status;
  final String title;
  final String detail;
  final ArrayNode errors;

  ApiError(int status, String title, String detail) {
    this(status, title, detail, null);
  }

  ApiError(int status, String title, String detail, ArrayNode errors) {
    super(title + ": " + detail, null, false, false);
    this.status = status;
    this.title = title;
    this.detail = detail;
    this.errors = errors;
  }

  ObjectNode body() {
    ObjectNode n = Json.obj();
    n.put("type", TYPE);
    n.put("title", title);
    n.put("status", status);
    n.put("detail", detail);
    n.put("instance", Json.uuid());
    if (errors != null) {
      n.set("errors", errors);
    }
    return n;
  }

  static ApiError notFound() {
    return new ApiError(404, "Resource Not Found", "The requested resource could not be found.");
  }

  static ApiError methodNotAllowed() {
    return new ApiError(405, "Method Not Allowed",
        "The requested method and resource are not compatible. See the Allow header for this resource's available methods.");
  }

  static ApiError badRequest(String detail) {
    return new ApiError(400, "Bad Request", detail);
  }

  static ApiError invalidResource(String detail) {
    return new ApiError(400, "Invalid Resource", detail);
  }

  /** "Invalid Resource" with Mailchimp's field-level {@code errors} array. */
  static ApiError invalidField(String field, String message) {
    ArrayNode errors = Json.arr();
    errors.addObject().put("field", field).put("message", message);
    return new ApiError(400, "Invalid Resource", VALIDATION_DETAIL, errors);
  }

  static ApiError looksFake(String email) {
    return invalidResource(Messages.looksFake(email));
  }

  static ApiError compliance(String email) {
    return new ApiError(400, "Member In Compliance State", Messages.compliance(email));
  }

  static ApiError forgotten(String email) {
    return new ApiError(400, "Forgotten Email Not Subscribed", Messages.forgotten(email));
  }

  static ApiError memberExists(String email) {
    return new ApiError(400, "Member Exists",
        email + " is already a list member. Use PUT to insert or update list members.");
  }
}
