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
  }
}
