package com.hrplatform.mailchimp.functions;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.hrplatform.mailchimp.json.Json;
import com.hrplatform.mailchimp.mailchimp.CallDeadline;
import com.hrplatform.mailchimp.preference.ConsentMessage;
import com.hrplatform.mailchimp.preference.ConsentWorker;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 11, point 7: the consent worker hands back what it has no time for, instead of timing out with all of it. */
class ConsentWorkerHandlerTest {
    private final List<String> processed = new ArrayList<>();
    private final List<Optional<Instant>> deadlines = new ArrayList<>();

    /** Records the messages it is given and the deadline their Mailchimp calls would have; changes nothing. */
    private final ConsentWorker worker = new ConsentWorker(null, null, null, null, null, null, null) {
        @Override
        public int process(ConsentMessage message) {
            processed.add(message.job());
            deadlines.add(CallDeadline.current());
            return 0;
        }
    };

    private static SQSEvent messages(int count) {
        List<SQSEvent.SQSMessage> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            SQSEvent.SQSMessage record = new SQSEvent.SQSMessage();
            record.setMessageId("m" + i);
            record.setBody(Json.write(new ConsentMessage("org-" + i, ConsentMessage.UNSUBSCRIBE, "job" + i,
                    Instant.now().toString(), 0)));
            record.setAttributes(Map.of("MessageGroupId", "org-" + i, "ApproximateReceiveCount", "1"));
            records.add(record);
        }
        SQSEvent event = new SQSEvent();
        event.setRecords(records);
        return event;
    }

    @Test
    void withTimeForAllEveryMessageRunsBoundByTheInvocationsEnd() {
        Instant end = Instant.now().plus(Duration.ofSeconds(50));
        SQSBatchResponse response = new ConsentWorkerHandler(worker, null, Duration.ofDays(7)).handle(messages(3), end);
        assertEquals(List.of("job0", "job1", "job2"), processed);
        assertTrue(response.getBatchItemFailures().isEmpty());
        assertTrue(deadlines.stream().allMatch(deadline -> deadline.equals(Optional.of(end))));
    }

    @Test
    void messagesWithoutTimeLeftGoBackUnstarted() {
        Instant end = Instant.now().plus(Duration.ofSeconds(5));
        SQSBatchResponse response = new ConsentWorkerHandler(worker, null, Duration.ofDays(7)).handle(messages(3), end);
        assertEquals(List.of(), processed, "none started: too little time for one");
        assertEquals(List.of("m0", "m1", "m2"), response.getBatchItemFailures().stream()
                .map(SQSBatchResponse.BatchItemFailure::getItemIdentifier).toList());
    }
}
