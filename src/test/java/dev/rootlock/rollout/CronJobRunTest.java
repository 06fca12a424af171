package dev.rootlock.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rootlock.testing.Manifests;
import dev.rootlock.testing.TestKind;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobStatus;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The CronJob reader: the first Job after the change is the test, and only a read-only failure fails it. */
class CronJobRunTest {
  static final CronJobRun READER = new CronJobRun();
  static final Instant STARTED = Instant.parse("2026-11-26T10:00:00Z");
  static final Duration TIMEOUT = Duration.ofMinutes(10);
  static final String RO_CRASH = "touch: cannot touch '/var/spool/report/x': Read-only file system";

  @Test
  void untilTheControllerSchedulesAJobAfterTheChangeNothingIsWatchedAndNothingTimesOut() {
    List<String> asked = new ArrayList<>();
    Related recording = new Related() {
      @Override
      public <T extends HasMetadata> List<T> list(Class<T> type, LabelSelector selector) {
        asked.add(type.getSimpleName());
        return List.of();
      }
    };
    CronJob c = cronJob("{lastScheduleTime: '2026-11-26T09:55:00Z'}");
    Verdict v = READER.judge(c, recording, STARTED, STARTED.plus(Duration.ofDays(7)), TIMEOUT);
    assertThat(v).isEqualTo(new Verdict.InProgress(CronJobRun.WAITING));
    assertThat(asked).as("no watch while waiting for the schedule").isEmpty();
    assertThat(READER.uptake(c).takesSlot()).isFalse();
    assertThat(READER.uptake(c).isFollowed()).isTrue();
    assertThat(READER.isComplete(c, STARTED)).isFalse();
  }

  @Test
  void theFirstJobWithTheChangedTemplateIsTheTestAndItsSuccessIsRecorded() {
    CronJob c = cronJob("{lastScheduleTime: '2026-11-26T10:05:00Z'}");
    Job before = job(c, "report-1", "2026-11-26T10:00:00Z", "image: old", "{}");
    Job test = job(c, "report-2", "2026-11-26T10:05:00Z", null, "{}");
    assertThat(READER.judge(c, Related.of(List.of(before, test)), STARTED, STARTED.plusSeconds(400), TIMEOUT))
        .isEqualTo(new Verdict.InProgress("following Job report-2, its first since this change"));
    test.getStatus().setConditions(List.of(Manifests.parse("{type: Complete, status: 'True'}",
        io.fabric8.kubernetes.api.model.batch.v1.JobCondition.class)));
    assertThat(READER.judge(c, Related.of(List.of(before, test)), STARTED, STARTED.plusSeconds(400), TIMEOUT))
        .isEqualTo(new Verdict.Complete());
  }

  @Test
  void aReadOnlyFailureOfItsPodFailsTheChangeAndAnyOtherFailureDoesNot() {
    CronJob c = cronJob("{lastScheduleTime: '2026-11-26T10:05:00Z'}");
    Job test = job(c, "report-2", "2026-11-26T10:05:00Z", null, "{failed: 1, conditions: [{type: Failed, "
        + "status: 'True', reason: BackoffLimitExceeded}]}");
    assertThat(READER.judge(c, Related.of(List.of(test)), STARTED, STARTED.plusSeconds(400), TIMEOUT))
        .as("failed, but its failed pod not seen yet: the evidence may be on its way")
        .isEqualTo(new Verdict.InProgress("following Job report-2, its first since this change"));
    Pod unrelated = pod("report-2-a", "uid-report-2", "connection refused: db:5432");
    assertThat(READER.judge(c, Related.of(List.of(test, unrelated)), STARTED, STARTED.plusSeconds(400), TIMEOUT))
        .as("batch work fails for its own reasons: not the hardening's").isEqualTo(new Verdict.Complete());
    Pod readOnly = pod("report-2-b", "uid-report-2", RO_CRASH);
    Verdict v = READER.judge(c, Related.of(List.of(test, unrelated, readOnly)), STARTED, STARTED.plusSeconds(400),
        TIMEOUT);
    assertThat(((Verdict.Failed) v).message()).isEqualTo("container app failed writing /var/spool/report/x "
        + "(read-only file system); add /var/spool/report to cachePaths (Job report-2, pod report-2-b: container app "
        + "terminated with an error (exit code 1, Error))");
  }

  private static CronJob cronJob(String status) {
    CronJob c = (CronJob) TestKind.CRON_JOB.web("report");
    c.getMetadata().setUid("uid-report");
    c.setStatus(Manifests.parse(status, CronJobStatus.class));
    return c;
  }

  private static Job job(CronJob c, String name, String created, String otherImage, String status) {
    Job j = Manifests.parse("""
        metadata: {name: %s, uid: uid-%s, creationTimestamp: '%s',
          ownerReferences: [{apiVersion: batch/v1, kind: CronJob, name: report, uid: uid-report, controller: true}]}
        spec: {selector: {matchLabels: {job-name: %s}}}
        status: %s
        """.formatted(name, name, created, name, status), Job.class);
    j.getSpec().setTemplate(new io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder(
        c.getSpec().getJobTemplate().getSpec().getTemplate()).editMetadata().addToLabels("job-name", name)
        .addToLabels("batch.kubernetes.io/controller-uid", "uid-" + name).endMetadata().build());
    if (otherImage != null) {
      j.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("old");
    }
    return j;
  }

  private static Pod pod(String name, String jobUid, String message) {
    return Manifests.parse("""
        metadata: {name: %s, ownerReferences: [{apiVersion: batch/v1, kind: Job, name: j, uid: %s, controller: true}]}
        status: {phase: Failed, containerStatuses: [{name: app, state: {terminated: {exitCode: 1, reason: Error,
          message: "%s"}}}]}
        """.formatted(name, jobUid, message), Pod.class);
  }
}
