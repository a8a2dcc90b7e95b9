# model fuzz7025, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"].long()
    v1 = torch.relu(x)
    def net1(h):
        h = F.conv2d(h, t["net1.0.weight"], None, 1, 1, 1, 1)
        h = torch.relu(h)
        h = F.conv2d(h, t["net1.2.weight"], t["net1.2.bias"], 1, 1, 1, 3)
        h = F.batch_norm(h, None, None, t["net1.3.weight"], t["net1.3.bias"], True, 0.1, 0.1)
        h = torch.tanh(h)
        h = torch.flatten(h, 1)
        h = torch.softmax(h, -1)
        h = F.linear(h, t["net1.7.weight"], t["net1.7.bias"])
        h = torch.relu(h)
        h = F.linear(h, t["net1.9.weight"], t["net1.9.bias"])
        h = torch.relu(h)
        h = F.linear(h, t["net1.11.weight"], t["net1.11.bias"])
        h = torch.relu(h)
        return h
    v2 = torch.relu(net1(x))
    def net2(h):
        h = F.conv2d(h, t["net2.0.weight"], None, 1, 0, 1, 1)
        h = torch.sigmoid(h)
        h = F.max_pool2d(h, 1, 2, 0, 2)
        h = torch.sigmoid(h)
        h = torch.flatten(h, 1)
        h = torch.softmax(h, -1)
        h = F.linear(h, t["net2.6.weight"], t["net2.6.bias"])
        h = torch.sigmoid(h)
        h = F.linear(h, t["net2.8.weight"], t["net2.8.bias"])
        return h
    v3 = net2(x)
    def net3(h):
        h = torch.softmax(h, -1)
        h = F.linear(h, t["net3.1.weight"], t["net3.1.bias"])
        h = torch.tanh(h)
        h = torch.softmax(h, -1)
        h = F.linear(h, t["net3.4.weight"], t["net3.4.bias"])
        h = torch.tanh(h)
        return h
    v4 = torch.exp(torch.tanh(net3(v3)))
    def net4(h):
        h = F.linear(h, t["net4.0.weight"], t["net4.0.bias"])
        h = torch.relu(h)
        h = torch.relu(h)
        h = F.linear(h, t["net4.3.weight"], t["net4.3.bias"])
        h = torch.tanh(h)
        return h
    def net5(h):
        h = F.linear(h, t["net5.0.weight"], t["net5.0.bias"])
        h = torch.tanh(h)
        h = F.linear(h, t["net5.2.weight"], t["net5.2.bias"])
        h = torch.tanh(h)
        h = F.linear(h, t["net5.4.weight"], t["net5.4.bias"])
        h = torch.tanh(h)
        return h
    v5 = torch.mean(torch.tanh(torch.tanh(torch.relu(torch.softmax(net5(net4(torch.tanh(v4))), -1)))))
    p1 = t["p1"]
    v6 = torch.mean((p1 - torch.sigmoid(torch.relu((-(p1 * (p1 + torch.relu(v5))))))))
    v7 = (-(-(-(torch.softmax(net1(x), -1) + p1))))
    v8 = (-torch.relu(v5))
    v9 = torch.relu(v8)
    p2 = t["p2"]
    return F.cross_entropy(torch.matmul(torch.flatten(v1, 1), p2), y) + (torch.tensor(0.01) * torch.mean((p2 * p2)))
