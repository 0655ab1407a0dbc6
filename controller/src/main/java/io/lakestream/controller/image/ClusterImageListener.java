package io.lakestream.controller.image;

/** Told of each new {@link ClusterImage}, in order, on the {@link ClusterImageFollower}'s thread. */
@FunctionalInterface
public interface ClusterImageListener {
    /** Called once per published image; must not block for long, since the next poll waits for it. */
    void onImage(ClusterImage oldImage, ClusterImage newImage);
}
