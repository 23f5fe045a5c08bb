/**
 * One descriptor per frame type of {@code docs/protocol.md}, in the style of Agrona's
 * {@code RingBufferDescriptor}: every field's offset is a named constant, or a static method of the lengths of
 * the variable fields before it. Offsets count from the first byte of the frame's <b>body</b>, just after
 * the type byte (see {@link io.iris.protocol.frame.FrameHeader}). Both codecs, the server's flyweights over
 * Agrona buffers and the JDK codec of {@link io.iris.protocol.codec}, read and write through these names
 * only, so the layout is written down once.
 */
package io.iris.protocol.frame;
