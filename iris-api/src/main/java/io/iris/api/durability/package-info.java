/** Group commit: many inbox appends made durable by one storage sync before any of them is acknowledged. */
package io.iris.api.durability;
