"""A PyTango device server for part 4 of `npm run bench`: PyTango to PyTango.

A small high-level PyTango device with what bench/peers/pytango_bench.py calls on cppTango's
TangoTest, under the same names and with the same behaviour: the commands DevDouble and
DevVarDoubleArray (echoes), the read-write double_scalar (reads back what was written), the
read-only 256-double double_spectrum_ro, the read-write double_spectrum (up to 4096 values, read
back as written, as TangoTest's spectra are bounded) and the read-only 251 x 251 double_image_ro.
PyTango has no TangoTest of its own. Started by bench/peers-pytango.ts with Debian's python, as
TangoTest is, without a database:

    python3 pytango_server.py test -nodb -dlist sys/tg_test/1 -ORBendPoint giop:tcp:127.0.0.1:PORT

It prints cppTango's "Ready to accept request" when it serves.
"""

import numpy as np
from tango import AttrWriteType, DevState
from tango.server import Device, attribute, command, run

SPECTRUM_RO = np.arange(256, dtype=np.float64) * 0.5
IMAGE_RO = np.arange(251 * 251, dtype=np.float64).reshape(251, 251)


class TangoTest(Device):
    """The part of cppTango's TangoTest the bench's PyTango client calls."""

    def init_device(self):
        Device.init_device(self)
        self._double_scalar = 0.0
        self._double_spectrum = np.zeros(0, dtype=np.float64)
        self.set_state(DevState.RUNNING)

    @command(dtype_in=float, dtype_out=float)
    def DevDouble(self, argin):
        return argin

    @command(dtype_in=(float,), dtype_out=(float,))
    def DevVarDoubleArray(self, argin):
        return argin

    @attribute(dtype=float, access=AttrWriteType.READ_WRITE)
    def double_scalar(self):
        return self._double_scalar

    @double_scalar.write
    def double_scalar(self, value):
        self._double_scalar = value

    @attribute(dtype=(float,), max_dim_x=256)
    def double_spectrum_ro(self):
        return SPECTRUM_RO

    @attribute(dtype=(float,), max_dim_x=4096, access=AttrWriteType.READ_WRITE)
    def double_spectrum(self):
        return self._double_spectrum

    @double_spectrum.write
    def double_spectrum(self, value):
        self._double_spectrum = np.asarray(value, dtype=np.float64)

    @attribute(dtype=((float,),), max_dim_x=251, max_dim_y=251)
    def double_image_ro(self):
        return IMAGE_RO


if __name__ == "__main__":
    run((TangoTest,))
