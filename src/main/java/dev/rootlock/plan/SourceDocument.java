package dev.rootlock.plan;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One YAML document of an input file.
 *
 * @param text the exact original text, separator line included: concatenating a file's documents
 *     reproduces the file byte for byte, which is how unchanged documents pass through untouched
 * @param separator the {@code ---} line that opened it, or "" for a file's first document
 * @param node the parsed content, or null for an empty document (only comments or nothing)
 */
public record SourceDocument(String source, int line, String text, String separator, JsonNode node) {}
