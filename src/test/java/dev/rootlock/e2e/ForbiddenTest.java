package dev.rootlock.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ForbiddenTest {
  @Test
  void aRefusalIsFoundAndATimestampOrResourceVersionIsNot() {
    assertThat(Forbidden.HTTP_403.matcher("the API server refused the patch (HTTP 403): denied").find()).isTrue();
    assertThat(Forbidden.HTTP_403.matcher("patch refused code=403 message=\"x\"").find()).isTrue();
    assertThat(Forbidden.HTTP_403.matcher("2026-12-07T15:08:59.403Z INFO change passed").find()).isFalse();
    assertThat(Forbidden.HTTP_403.matcher("resourceVersion=10403").find()).isFalse();
    // a real line from CI: the policy's uid holds 403 between hex letters
    assertThat(Forbidden.HTTP_403.matcher("resource.uid=23b403b4-7834-45d4-b932-e38eea87c78b").find()).isFalse();
    assertThat(Forbidden.HTTP_403.matcher("uid=0c1d2e3f-4031-45d4-b932-e38eea87c78b").find()).isFalse();
    assertThat(Forbidden.HTTP_403.matcher("uid=0c1d2e3f-1234-45d4-b932-e38eea-403").find()).isFalse();
  }
}
