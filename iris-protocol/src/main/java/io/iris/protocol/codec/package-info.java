/**
 * The wire codec over JDK types only ({@link java.nio.ByteBuffer}, {@code byte[]}), for clients that must
 * not depend on Agrona: {@link io.iris.protocol.codec.ByteBufferFrameEncoder} writes frames,
 * {@link io.iris.protocol.codec.ByteBufferFrameDecoder} validates and reads them,
 * {@link io.iris.protocol.codec.FrameReader} reassembles them from a blocking stream. All three follow the
 * {@link io.iris.protocol.frame} descriptors; the server's flyweight codec over Agrona buffers follows the
 * same descriptors, and a property test holds the two codecs to identical bytes and fields.
 */
package io.iris.protocol.codec;
