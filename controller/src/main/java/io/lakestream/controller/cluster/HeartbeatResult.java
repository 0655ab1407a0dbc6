package io.lakestream.controller.cluster;

/**
 * The answer to a broker heartbeat.
 *
 * @param fenced the broker may not lead partitions; it keeps heartbeating to be unfenced
 * @param shouldShutDown the broker asked to shut down and leads nothing any more
 */
public record HeartbeatResult(boolean fenced, boolean shouldShutDown) {}
