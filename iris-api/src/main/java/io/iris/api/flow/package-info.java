/** Admission control: whether the engine takes one more SEND now or answers OVERLOADED with retry-after. */
package io.iris.api.flow;
