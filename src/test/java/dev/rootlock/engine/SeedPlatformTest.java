package dev.rootlock.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rootlock.api.SeedMethod;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** spec.seed.method Auto against what the API server's /version says. */
class SeedPlatformTest {
  private static final String COPIER = "registry.example/copier:1";

  @ParameterizedTest
  @CsvSource(delimiter = '|', textBlock = """
      1 | 35  | ImageVolume
      1 | 37  | ImageVolume
      1 | 35+ | ImageVolume
      1 | 34  | Copy
      1 | 34+ | Copy
      1 | 29  | Copy
      2 | 0   | ImageVolume
      '' | '' | Copy
      1 | x   | Copy
      1 | 99999999999 | Copy
      """)
  void autoMeansImageVolumeFromKubernetes135On(String major, String minor, SeedMethod auto) {
    SeedPlatform p = SeedPlatform.forServer(major, minor, COPIER);
    assertThat(p.resolve(SeedMethod.Auto)).isEqualTo(auto);
    assertThat(p.resolve(null)).isEqualTo(auto);
    assertThat(p.copierImage()).isEqualTo(COPIER);
  }

  @Test
  void anExplicitMethodIsKeptWhateverTheServer() {
    SeedPlatform old = SeedPlatform.forServer("1", "30", COPIER);
    assertThat(old.resolve(SeedMethod.ImageVolume)).isEqualTo(SeedMethod.ImageVolume);
    assertThat(SeedPlatform.forServer("1", "36", COPIER).resolve(SeedMethod.Copy)).isEqualTo(SeedMethod.Copy);
  }

  @Test
  void theCopierImageMustBeNamed() {
    assertThatThrownBy(() -> new SeedPlatform(true, " ")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("copier image");
  }
}
