package com.hrplatform.mailchimp.sandbox;

/**
 * The wording Mailchimp uses for the errors the sandbox reproduces (as seen in public issue reports
 * quoting real Marketing API responses).
 */
final class Messages {
  private Messages() {}

  static String compliance(String email) {
    return email + " is in a compliance state due to unsubscribe, bounce, or compliance review and cannot be subscribed.";
  }

  static String forgotten(String email) {
    return email + " was permanently deleted and cannot be re-imported. The contact must re-subscribe to get back on the list.";
  }

  static String looksFake(String email) {
    return (email == null ? "" : email) + " looks fake or invalid, please enter a real email address.";
  }

  static String contactExists(String email) {
    return email + " is already a list member, do you want to update? please provide update_existing:true in the request body";
  }

  static final String MERGE_FIELDS_INVALID = "Your merge fields were invalid.";

  static final String MERGE_FIELD_EMPTY = "Please enter a value";

  static final String MERGE_FIELD_DATE = "Please enter a date";

  static final String API_KEY_INVALID = "Your API key may be invalid, or you've attempted to access the wrong datacenter.";

  static final String TOO_MANY = "You have exceeded the limit of 10 simultaneous connections.";
}
