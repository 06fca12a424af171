package dev.rootlock.plan;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.rootlock.decision.EngineAnswer;

/**
 * What hardening a workload's manifest under one policy's rules would do.
 *
 * @param ops JSON Patch relative to the workload as written; empty when nothing changes
 * @param summary what the ops change, for a person
 * @param notes what a person should know when nothing changes (paths left alone, ...)
 * @param answer the engine's answer, for the {@link dev.rootlock.decision.DecisionLadder}
 */
record PlannedChange(ArrayNode ops, String summary, String notes, EngineAnswer answer) {}
