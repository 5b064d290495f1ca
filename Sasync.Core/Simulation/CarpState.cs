namespace Sasync.Core.Simulation;

/// <summary>The state of a carp(4) virtual host.</summary>
public enum CarpState
{
    /// <summary>INIT: not yet MASTER or BACKUP (the interface reports link state invalid).</summary>
    Init,

    /// <summary>BACKUP: another host is MASTER (link down).</summary>
    Backup,

    /// <summary>MASTER: this host answers for the virtual address (link up).</summary>
    Master,
}
