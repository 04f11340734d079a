// SkyWalking's SWCK injector: it injects the agent only into pods of namespaces that carry
// its label (SWCK docs, "Java agent injector"); obs's swck-mode services need it there.
local obsLib = import 'obs.libsonnet';

{
  namespaces(obs, p)::
    [
      obsLib.object(obs, 'v1', 'Namespace', ns, labels={ [p.label]: p.value })
      for ns in std.set([s.namespace for s in obs.services if s.skywalking == 'swck' && s.namespace != null])
    ],
}
