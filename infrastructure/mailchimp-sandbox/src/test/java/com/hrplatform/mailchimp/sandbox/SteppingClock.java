package com.hrplatform.mailchimp.sandbox;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A UTC clock that stands still until a test moves it on: timestamps then differ by exactly that much. */
final class SteppingClock extends Clock {
  private volatile Instant now;

  SteppingClock(Instant start) {
    this.now = start;
  }

  /** Moves time on and answers the new time, as the sandbox renders it. */
  String advance(Duration by) {
    now = now.plus(by);
    return Json.ts(now);
  }

  String nowText() {
    return Json.ts(now);
  }

  @Override
  public Instant instant() {
    return now;
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException("the sandbox works in UTC");
  }
}
