/** The engine's inbox record format: what one stored message looks like inside the storage SPI's opaque records. */
package io.iris.engine.inbox;
