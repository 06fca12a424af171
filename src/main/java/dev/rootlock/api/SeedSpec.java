package dev.rootlock.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;

/** How seeded paths are filled with the image's files (docs/seeding.md). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SeedSpec {
  @JsonPropertyDescription("ImageVolume: the app's image mounted read-only as an image volume (Kubernetes 1.35+) and "
      + "copied by a small copier image; Copy: the container's own image copies with its shell and cp; Auto: "
      + "ImageVolume where the API server serves image volumes, else Copy.")
  @Default("Auto")
  private SeedMethod method;

  public SeedMethod getMethod() {
    return method;
  }

  public void setMethod(SeedMethod method) {
    this.method = method;
  }
}
