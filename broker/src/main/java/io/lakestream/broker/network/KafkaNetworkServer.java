package io.lakestream.broker.network;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.network.ListenerName;

/**
 * The Kafka listener: accepts connections and builds each one's pipeline, which reads like
 * the protocol:
 *
 * <pre>
 * bytes -> KafkaFrameDecoder -> RequestDecoder -> RequestDispatcher -> RequestHandler
 *                                                         |
 * bytes <-------------- responses, in request order ------+
 * </pre>
 *
 * Thread-safe; {@link #start} and {@link #close} are called once each.
 */
public final class KafkaNetworkServer implements AutoCloseable {
    private final NetworkConfig config;
    private final RequestHandler handler;
    private final Executor requestExecutor;
    private final EventLoopGroup acceptors;
    private final EventLoopGroup workers;
    private Channel serverChannel;

    public KafkaNetworkServer(NetworkConfig config, RequestHandler handler, Executor requestExecutor) {
        this.config = config;
        this.handler = handler;
        this.requestExecutor = requestExecutor;
        this.acceptors = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("lakestream-acceptor", true),
            NioIoHandler.newFactory());
        this.workers = new MultiThreadIoEventLoopGroup(config.networkThreads(),
            new DefaultThreadFactory("lakestream-network", true), NioIoHandler.newFactory());
    }

    /** Binds the listener; fails with the bind error (a port in use, say). */
    public InetSocketAddress start() throws InterruptedException {
        ListenerName listenerName = ListenerName.normalised(config.listenerName());
        ServerBootstrap bootstrap = new ServerBootstrap()
            .group(acceptors, workers)
            .channel(NioServerSocketChannel.class)
            .option(ChannelOption.SO_BACKLOG, 1024)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.SO_KEEPALIVE, true)
            .childHandler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel channel) {
                    channel.pipeline()
                        .addLast("frames", new KafkaFrameDecoder(config.maxRequestBytes()))
                        .addLast("requests", new RequestDecoder(listenerName))
                        .addLast("dispatcher", new RequestDispatcher(handler, requestExecutor,
                            config.maxInFlightRequestsPerConnection(), config.maxRequestBytes(),
                            config.fetchInlineMaxBytes()));
                }
            });
        serverChannel = bootstrap.bind(config.host(), config.port()).sync().channel();
        return (InetSocketAddress) serverChannel.localAddress();
    }

    @Override
    public void close() {
        if (serverChannel != null) {
            serverChannel.close().awaitUninterruptibly();
        }
        acceptors.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    }
}
