package com.hrplatform.mailchimp.sandbox;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/** Everything the sandbox holds: accounts by API key, fault rules, the request log and global latency. */
final class SandboxState {
  final Clock clock;
  final ConcurrentHashMap<String, Account> accounts = new ConcurrentHashMap<>();
  final CopyOnWriteArrayList<FaultRule> faults = new CopyOnWriteArrayList<>();
  final RequestLog log = new RequestLog();
  final AtomicLong nextFaultId = new AtomicLong(1);
  volatile long globalLatencyMs;

  SandboxState(Clock clock) {
    this.clock = clock;
    reset();
  }

  /** Back to the seeded state: the default account only, no faults, no latency, empty log. */
  void reset() {
    accounts.clear();
    faults.clear();
    globalLatencyMs = 0;
    log.clear();
    putAccount(MailchimpSandbox.DEFAULT_API_KEY, Seed.DEFAULT_ACCOUNT_NAME, true);
  }

  Account putAccount(String apiKey, String accountName, boolean seed) {
    Instant now = clock.instant();
    Account a = new Account(apiKey, accountName, now);
    if (seed) {
      Seed.populate(a, now);
    }
    accounts.put(apiKey, a);
    return a;
  }

  /**
   * The rules that apply to one request, each use taken: every matching latency rule, then the first
   * matching terminal rule (status, html503, timeout), if any, last.
   */
  List<FaultRule> takeFaults(String apiKey, String method, String path) {
    List<FaultRule> out = new ArrayList<>();
    for (FaultRule r : faults) {
      if (!r.matches(apiKey, method, path)) {
        continue;
      }
      boolean terminal = !r.delaysOnly();
      if (terminal && out.stream().anyMatch(f -> !f.delaysOnly())) {
        continue;
      }
      if (r.tryConsume()) {
        out.add(r);
      }
      if (r.exhausted()) {
        faults.remove(r);
      }
    }
    out.sort((x, y) -> Boolean.compare(!"latency".equals(x.kind), !"latency".equals(y.kind)));
    return out;
  }

  Account accountOfCampaign(String campaignId) {
    for (Account a : accounts.values()) {
      synchronized (a) {
        if (a.campaigns.containsKey(campaignId)) {
          return a;
        }
      }
    }
    return null;
  }
}
